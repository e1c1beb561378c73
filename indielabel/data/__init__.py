"""The dataset: its on-disk format, loading and validation, importers, topics and the system's scores.

Owns: ``dataset`` (items, ratings, raters as CSV/JSON), ``importing`` with its two sources ``kumar``
(JSON lines) and ``long_csv``, ``systems`` (the classifier under audit, which scores texts) and
``topics`` (the topic model that gives every comment a topic when the source has none) and
``topic_names`` (readable labels of its topic names).
May import: ``indielabel.config``, ``indielabel.errors``, ``indielabel.progress``.
Must not import: any other stage. Everything downstream reads a :class:`dataset.Dataset`.
"""
