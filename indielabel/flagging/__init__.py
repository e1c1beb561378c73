"""Flagging after Gradio's Flag button: the FlaggingCallback interface, its loggers, and the
configured flagging of the app (mode, options, callback, reading the log back).

Owns: ``append_log`` (the locked, append-only file with its tally and per-user index), ``loggers``
(FlaggingCallback, CSVLogger, SimpleCSVLogger, JSONLinesLogger and their records), ``reading``
(every flag for the organizer, one user's flags, the export), ``setup`` (modes, options, loading a
callback by dotted path).
May import: ``indielabel.config``.
Must not import: anything else; the audit package calls it for a user.
"""
