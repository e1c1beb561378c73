"""The organizer's view of a study: every auditor's work summed up, and what their models say together.

Owns: ``summaries`` (one small summary per auditor, kept in an index that is brought up to date from
file signatures, so a page load reads only the auditors whose files changed), ``findings`` (per topic,
how many auditors' current models find the system over- or under-sensitive and how many reported it;
a topic's drill-down), ``participants`` (the participants table), ``flag_counts`` (the flag log
counted), ``exports`` (reports as JSON lines in ours and AVID's format, CSV summaries), ``charts``
(Altair charts of the findings and flags).
May import: ``indielabel.data``, ``indielabel.storage``, ``indielabel.flagging``, ``indielabel.avid``,
``indielabel.audit`` (the audit service and its per-topic overview), the top-level ``config``/``errors``
and ``audit_utils``.
Must not import: ``indielabel.web``, ``server``, Flask.
"""
