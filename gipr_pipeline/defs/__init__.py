"""The thin Dagster layer: ``definitions`` (the code location), partitions, resources, the I/O
manager, assets, asset checks, schedules and sensors. Each asset calls a pure function of
``marts`` or ``outputs``; no parsing or mart logic lives here.

May import: every stage below (``template`` … ``outputs``) and Dagster. Only ``cli`` imports it.
"""
