"""gipr_pipeline: 政府信息公开工作年度报告 → checked, queryable data."""
