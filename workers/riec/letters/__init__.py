"""Refusal letters (R-4.1-refuse, issue 10): a Dutch letter to the requesting partner, rendered to PDF.

The text comes from a Jinja2 template a process owner can edit
(``workers/riec/letters/templates/refusal.txt.j2``; its header says what it may use). The letter
holds the decision's reason and rule IDs and never police data; when the police recorded
that explaining is not possible, it says only that the request is refused.
"""
