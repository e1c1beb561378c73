"""Reports to AVID, the AI Vulnerability Database: conversion to reports that read like AVID's
published ones (validated with avidtools), submission that reaches AVID once, and the outbox that
sends off the request thread.

Owns: ``convert`` (the one conversion: ``to_avid_json``, ``avid_json_lines``, ``AuditContext``),
``api`` (the HTTP submission and review status), ``outbox`` (queued submissions, ``avid retry``).
May import: ``indielabel.storage`` (reports and the store), ``indielabel.data.dataset``, ``indielabel.config``.
Must not import: model, audit, web.
"""
