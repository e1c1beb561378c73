"""The embedded synthetic default dataset: comments, raters with demographics, planted blind spots.

Owns: ``generator`` (presets and the dataset it writes), ``text`` and ``phrases`` (the comment
grammar), ``raters`` (who rates what, and how), ``vocabulary`` (the topics' words).
May import: ``indielabel.data`` (it writes a dataset and scores it with the system), ``indielabel.config``,
``indielabel.progress``.
Must not import: model, audit, storage, flagging, avid, web.
"""
