"""Reports to AVID, the AI Vulnerability Database: conversion to AVID's format (validated with
avidtools), submission with timeouts and retries, and the outbox that never sends a report twice.

Owns: ``api`` (conversion and the HTTP submission), ``outbox`` (queued submissions, ``avid retry``).
May import: ``indielabel.storage`` (reports and the store), ``indielabel.data.dataset``, ``indielabel.config``.
Must not import: model, audit, web.
"""
