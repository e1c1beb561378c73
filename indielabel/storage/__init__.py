"""What a user owns, kept durably: the per-user store, the report documents, atomic files, names.

Owns: ``store`` (model versions, labels, predictions, reports under a cross-process lock), ``profiles``
(a user's optional self-description), ``versions``
(the documents a version is made of, checked before they are written),
``reports`` (the report and evidence documents, validated), ``atomic_files`` (write-rename-fsync),
``names`` (the names allowed in paths), ``probes`` (the comments a user wrote to try the system).
May import: ``indielabel.data.dataset`` (the rating scale), ``indielabel.config``, ``indielabel.errors``.
Must not import: model, audit, flagging, avid, web.
"""
