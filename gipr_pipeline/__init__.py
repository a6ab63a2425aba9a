"""gipr_pipeline: 政府信息公开工作年度报告 → checked, queryable data."""

import os as _os

# polars' allocator (jemalloc, read once when polars loads) keeps freed pages for seconds by
# default; a year partition's steps each build and drop frames of millions of rows, so the
# process's resident memory would grow step by step. Return them at once (a user's setting wins).
_os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
