"""Our own fault suite: SIGKILLs and signals at random instants, and a table of hostile inputs.

`make faults` (or `python -m faults --help` with PYTHONPATH=.:tests) runs it against the busybox
test pipeline (fast) or the real movie pipeline (slow, the stage images under REELSTAGE_TAG), and
prints one line per trial or case and the counts that must all be 0.
"""
