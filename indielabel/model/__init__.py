"""The personal model: content features, the base-model fit, the per-user fold-in, label selection
and evaluation on held-out raters.

Owns: ``features`` (text and attribute features), ``fit`` (the base model's parameters),
``personal`` (base model cache, fold-in, predictions, quality), ``mapped_arrays`` (the cache's arrays
memory-mapped read-only, shared by server workers), ``rating_scale`` (predictions on the
dataset's rating levels), ``self_description`` (the prior
given a person's self-described attribute profile), ``label_selection`` (which comments a
person is asked to label), ``neighbours`` (similar comments in the content space, and a new text
placed in it), ``evaluation``
(``python -m indielabel evaluate``).
May import: ``indielabel.data``, ``indielabel.synth`` (evaluation replays the generator's raters),
``indielabel.config``, ``indielabel.progress``.
Must not import: audit, storage, flagging, avid, web, or the top-level modules.
"""
