"""The database throttle shared by the pass lookups, the redemption and the password resets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from passnum.common.exceptions import TooManyRequests
from passnum.common.models import ThrottleHit
from passnum.common.throttle import Throttle


class Slow(TooManyRequests):
    code = "slow"
    message = "Doucement."


THROTTLE = Throttle("test", timedelta(minutes=10), Slow)
OTHER = Throttle("other", timedelta(minutes=10))


def test_keys_are_stored_as_keyed_hashes(db):
    THROTTLE.record({"email:jeanne@exemple.fr": 3})
    [hit] = ThrottleHit.objects.all()
    assert hit.scope == "test"
    assert hit.key == THROTTLE.digest("email:jeanne@exemple.fr")
    assert "jeanne" not in hit.key
    assert len(hit.key) == 64
    assert THROTTLE.digest("a") != THROTTLE.digest("b")


def test_check_refuses_once_a_key_has_used_up_its_limit(db):
    limits = {"a": 2, "b": 5}
    THROTTLE.check(limits)
    assert THROTTLE.record(limits) == []
    assert THROTTLE.record(limits) == []
    assert THROTTLE.over(limits) == ["a"]
    with pytest.raises(Slow) as excinfo:
        THROTTLE.check(limits)
    assert excinfo.value.message == "Doucement."
    THROTTLE.check({"b": 5})  # the other key is still under its own


def test_record_says_which_keys_went_beyond(db):
    assert THROTTLE.record({"a": 1, "b": 1}, 2) == ["a", "b"]
    assert THROTTLE.recent(["a", "b", "c"]) == {"a": 2, "b": 2}
    with pytest.raises(Slow):
        THROTTLE.count({"c": 1}, 2)
    THROTTLE.count({"d": 2}, 2)


def test_scopes_are_counted_apart(db):
    THROTTLE.record({"a": 1}, 3)
    assert OTHER.recent(["a"]) == {}
    OTHER.check({"a": 1})
    with pytest.raises(TooManyRequests):
        OTHER.count({"a": 0})


def test_old_hits_no_longer_count_and_are_purged_by_the_next_record(db):
    THROTTLE.record({"a": 5}, 5)
    OTHER.record({"a": 5}, 5)
    ThrottleHit.objects.update(at=timezone.now() - timedelta(minutes=11))
    assert THROTTLE.recent(["a"]) == {}
    THROTTLE.record({"a": 5})
    assert THROTTLE.stored("a").count() == 1
    assert OTHER.stored("a").count() == 5  # another scope purges its own


def test_queries(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        THROTTLE.check({"a": 1, "b": 2})
    with django_assert_num_queries(3):  # insert, purge, recount
        THROTTLE.record({"a": 1, "b": 2})
