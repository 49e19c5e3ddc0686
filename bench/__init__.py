"""Benchmarks of CPD Desktop's hot paths at school and trust scale, each beside its floor.

Run with ``python -m bench --scale school`` (``make bench-quick``) or ``--scale full`` (``make bench``).
Every figure is a ratio to the raw library doing the same work in the same run, because this
machine is shared and noisy: ``generate`` makes the seeded databases (cached in ``bench/.cache``),
``cases`` holds what is measured, ``runner`` times it and writes ``results.json`` and ``RESULTS.md``,
and ``ui_probe`` is the script each start-up and table case runs in a fresh subprocess.
"""
