"""Flagging after Gradio's Flag button: the FlaggingCallback interface, its loggers, and the
configured flagging of the app (mode, options, callback, reading the log back).

Owns: ``loggers`` (FlaggingCallback, CSVLogger, SimpleCSVLogger, JSONLinesLogger), ``setup``
(modes, options, loading a callback by dotted path, reading and exporting flags).
May import: ``indielabel.config``.
Must not import: anything else; the audit package calls it for a user.
"""
