"""The generated corpus: truth tables rendered as report text in every layout (``render``) and
``gipr synth`` (``synth``: N inputs with one truth record each, deterministic per seed).

May import: ``template`` and ``parser`` (result types, ``batch`` for parallel writing).
Pure Python: no polars, no Dagster.
"""
