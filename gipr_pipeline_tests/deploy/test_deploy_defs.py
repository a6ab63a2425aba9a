"""The deployment's code location, loaded without servers: the embedded assets and checks, the
sharded parse with the same asset keys, the Celery executor and a publish step after everything."""

from dagster import AssetKey

from gipr_pipeline.defs.definitions import build_defs
from gipr_pipeline.defs.deploy import CARRYOVER_JOB, PUBLISH, build_deploy_defs, settings_from_env


def _keys(defs) -> set[str]:
    return {k.to_user_string() for a in defs.assets for k in a.keys}


def test_same_assets_and_checks_as_the_embedded_default_plus_publish(tmp_path):
    embedded = build_defs(str(tmp_path / "raw"), str(tmp_path / "w.duckdb"))
    deploy = build_deploy_defs(str(tmp_path / "shared"), str(tmp_path / "raw"), shard_size=3)
    assert _keys(deploy) == _keys(embedded) | {PUBLISH}
    checks = lambda d: {k.name for c in d.asset_checks for k in c.check_keys}  # noqa: E731
    assert checks(deploy) == checks(embedded)

    job = deploy.resolve_job_def("gipr_year")
    assert job.executor_def.name == "celery"
    graph = deploy.resolve_asset_graph()
    publish = graph.get(AssetKey(PUBLISH))
    # Every other asset of the year is upstream of the publish step: it runs last.
    assert {k.to_user_string() for k in publish.parent_keys} == _keys(embedded)
    parse = {n.name for n in job.graph.node_dict["parse_reports"].definition.node_defs}
    assert parse == {"plan_shards", "parse_shard", "merge_shards"}
    carry = deploy.resolve_job_def(CARRYOVER_JOB)
    # every table that reads year N−1 (CROSS_YEAR), the carry-over check, then the publish
    assert {n.name for n in carry.nodes} == {
        "carryover_breaks",
        "carryover_breaks_carryover_continuity",
        "year_over_year",
        "run_inputs",
        PUBLISH,
    }


def test_settings_from_the_deployment_environment():
    env = {
        "GIPR_SHARED": "/srv/gipr",
        "GIPR_RAW_DIR": "/srv/raw",
        "GIPR_CELERY_BROKER": "redis://r:6379/0",
        "GIPR_SHARD_SIZE": "500",
    }
    assert settings_from_env(env) == {
        "shared": "/srv/gipr",
        "raw_dir": "/srv/raw",
        "broker": "redis://r:6379/0",
        "backend": "redis://r:6379/0",
        "shard_size": 500,
    }
