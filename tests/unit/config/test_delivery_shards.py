"""Enriched-events delivery streams: how many the roster needs, and which one carries each tenant."""

from __future__ import annotations

import hashlib

import pytest

from functions.contracts.delivery_routing import delivery_stream_index, route_score
from functions.contracts.errors import ContractError
from tiers.delivery_shards import HEADROOM, assign, initial_stream_count, plan_delivery_shards

IDS = [f"tenant-{n}" for n in range(5_000)]


def test_the_score_is_sha256_of_the_id_and_the_stream_index() -> None:
    assert route_score("acme", 3) == hashlib.sha256(b"acme#3").hexdigest()
    scores = [route_score("acme", stream) for stream in range(4)]
    assert delivery_stream_index("acme", 4) == scores.index(max(scores))


def test_assignment_is_stable_and_one_stream_takes_everyone() -> None:
    assert [delivery_stream_index(t, 7) for t in IDS[:200]] == [delivery_stream_index(t, 7) for t in IDS[:200]]
    assert {delivery_stream_index(t, 1) for t in IDS} == {0}
    with pytest.raises(ContractError, match="1-999 delivery streams, got 0"):
        delivery_stream_index("acme", 0)


@pytest.mark.parametrize("streams", [1, 2, 5, 27])
def test_adding_a_stream_moves_only_tenants_onto_the_new_stream(streams: int) -> None:
    before, after = assign(IDS, streams), assign(IDS, streams + 1)
    moved = [t for t in IDS if before.stream_by_tenant[t] != after.stream_by_tenant[t]]
    assert {after.stream_by_tenant[t] for t in moved} == {streams}  # every mover went to the new stream
    expected = len(IDS) / (streams + 1)  # the new stream's fair share
    assert 0.8 * expected < len(moved) < 1.2 * expected


def test_adding_a_tenant_moves_no_one_else() -> None:
    before = plan_delivery_shards(IDS[:1_000], 100)
    after = plan_delivery_shards(IDS[:1_001], 100)
    assert after.count == before.count
    assert {t: after.stream_by_tenant[t] for t in IDS[:1_000]} == before.stream_by_tenant


def test_the_count_fills_streams_to_headroom_and_never_shrinks_as_the_roster_grows() -> None:
    assert initial_stream_count(0, 500) == 1
    assert initial_stream_count(375, 500) == 1 and initial_stream_count(376, 500) == 2
    assert initial_stream_count(10_000, 500) == 27 == -(-10_000 // int(500 * HEADROOM))
    counts = [plan_delivery_shards(IDS[:n], 50).count for n in range(0, 1_000, 20)]
    assert counts == sorted(counts)


def test_every_stream_fits_the_quota_and_lists_its_tenants() -> None:
    shards = plan_delivery_shards(IDS, 500)
    assert shards.busiest <= 500
    members = shards.members()
    assert sorted(members) == list(range(shards.count))
    assert sorted(t for ids in members.values() for t in ids) == sorted(IDS)


def test_the_count_stops_at_the_most_streams_the_job_can_name() -> None:
    shards = plan_delivery_shards(IDS[:100], 1, max_streams=48)
    assert shards.count == 48 and shards.busiest > 1  # the quota check refuses this (test_quotas.py)
