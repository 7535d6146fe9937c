"""The webhook helpers: HMAC-SHA256 X-Hub-Signature and the event's gist."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from connectors.jira.webhooks import parse_event, sign, verify_signature

BODY = json.dumps(
    {
        "webhookEvent": "jira:issue_updated",
        "issue": {"id": "10024", "key": "DLV-24", "fields": {"labels": ["synchub-milestone"]}},
    }
).encode()


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    digest = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", BODY) == f"sha256={digest}"
    assert verify_signature("s3cret", BODY, f"sha256={digest}")
    assert verify_signature(b"s3cret", BODY, f"SHA256={digest.upper()}")


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=abc", "md5=" + "0" * 32, "sha256=" + "0" * 64, "garbage"],
)
def test_anything_else_is_refused_without_raising(header: str | None) -> None:
    assert not verify_signature("s3cret", BODY, header)


def test_a_changed_body_or_secret_is_refused() -> None:
    header = sign("s3cret", BODY)
    assert not verify_signature("s3cret", BODY.replace(b"10024", b"10025"), header)
    assert not verify_signature("other", BODY, header)
    assert not verify_signature("", BODY, header)


def test_parse_event_names_issue_identifier_and_stream() -> None:
    event = parse_event({"x-atlassian-webhook-identifier": "abc-1"}, BODY)
    assert (event.identifier, event.event, event.issue_id, event.issue_key) == (
        "abc-1",
        "jira:issue_updated",
        "10024",
        "DLV-24",
    )
    assert event.stream("synchub-contract", "synchub-milestone") == "milestones"
    assert event.stream("a", "b") is None


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"issue": {}}'])
def test_parse_event_refuses_what_is_not_an_event(body: bytes) -> None:
    with pytest.raises(ValueError, match="webhook"):
        parse_event({}, body)
