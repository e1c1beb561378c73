"""The auditor's journey as calls: the audit service, its charts, reports and flags on a user's behalf.

Owns: ``service`` (labeling, training, auditing over one dataset and base model), ``charts``
(Vega-Lite specs), ``reporting`` (scaffolds, saving and submitting reports), ``flags`` (flagging a
comment, a user's flags), ``probing`` (a comment the auditor writes, scored and rated).
May import: ``indielabel.data``, ``indielabel.model``, ``indielabel.storage``, ``indielabel.flagging``,
``indielabel.avid``, the top-level ``config``/``errors``, and ``audit_utils``: the analysis the
service runs lives at the repository's top level, where the project's design card puts it, and this
package is the one inside ``indielabel`` that calls it.
Must not import: ``indielabel.web``, ``server``, Flask.
"""
