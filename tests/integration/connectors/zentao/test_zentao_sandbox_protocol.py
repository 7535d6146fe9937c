"""The sandbox speaks ZenTao REST v1 as the vendor does, quirks included (checked over HTTP)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from zentao_support import Raw

from connectors.zentao.sandbox import ZentaoSandbox


def test_login_answers_201_with_a_session_id(raw: Raw) -> None:
    response = raw.login()
    assert response.status_code == 201
    token = response.json()["token"]
    assert len(token) == 26
    assert token.isalnum()
    assert response.headers["content-type"] == "application/json"


def test_missing_or_unknown_token_is_401_unauthorized(raw: Raw) -> None:
    for token in (None, "nosuchsession"):
        response = raw.call("GET", "/projects", token)
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized"}


def test_zentaosid_cookie_works_like_the_token_header(raw: Raw) -> None:
    token = raw.token()
    response = raw.http.get(f"{raw.api}/user", headers={"Cookie": f"zentaosid={token}"})
    assert response.json()["profile"]["account"] == raw.creds["account"]


def test_wrong_passwords_warn_then_lock_the_account(raw: Raw) -> None:
    messages = [raw.login("wrong").json()["error"] for _ in range(6)]
    assert messages[0] == "登录失败，请检查您的用户名或密码是否填写正确。"
    assert messages[2:5] == ["您还有3次尝试机会。", "您还有2次尝试机会。", "您还有1次尝试机会。"]
    assert "10分钟后重试" in messages[5]
    locked = raw.login()  # the right password no longer helps
    assert locked.status_code == 400
    assert "10分钟后重试" in locked.json()["error"]


def test_lock_lifts_after_lock_minutes(raw: Raw, sandbox: ZentaoSandbox) -> None:
    for _ in range(6):
        raw.login("wrong")
    sandbox.clock.advance(11 * 60)
    assert raw.login().status_code == 201


def test_token_dies_after_idle_timeout_and_lives_while_used(
    raw: Raw, sandbox: ZentaoSandbox
) -> None:
    token = raw.token()
    sandbox.clock.advance(1000)
    assert raw.call("GET", "/user", token).status_code == 200  # use renews the session
    sandbox.clock.advance(1000)
    assert raw.call("GET", "/user", token).status_code == 200
    sandbox.clock.advance(1500)
    assert raw.call("GET", "/user", token).status_code == 401


def test_options_preflight_is_204_with_cors(raw: Raw) -> None:
    response = raw.http.options(f"{raw.api}/projects")
    assert response.status_code == 204
    assert "Token" in response.headers["access-control-allow-headers"]


def test_list_envelope_echoes_page_as_sent_and_counts_total(
    raw: Raw, sandbox: ZentaoSandbox
) -> None:
    token = raw.token()
    body = raw.call("GET", "/projects", token, params={"page": 2, "limit": 3}).json()
    assert set(body) == {"page", "total", "limit", "projects"}
    assert body["page"] == "2"  # PHP echoes the query string
    assert body["limit"] == 3  # /projects casts limit; other lists do not
    assert body["total"] == len(sandbox.remote_ids("projects"))
    executions = raw.call("GET", "/executions", token, params={"limit": "5"}).json()
    assert executions["limit"] == "5"


def test_page_past_the_end_serves_page_one_again(raw: Raw) -> None:
    token = raw.token()
    first = raw.call("GET", "/projects", token, params={"page": 1, "limit": 4}).json()
    past = raw.call("GET", "/projects", token, params={"page": 99, "limit": 4}).json()
    assert past["page"] == 1
    assert [p["id"] for p in past["projects"]] == [p["id"] for p in first["projects"]]


@pytest.mark.parametrize("sandbox_options", [{"past_end": "clamp"}])
def test_clamp_variant_serves_the_last_page(raw: Raw, sandbox_options: dict[str, Any]) -> None:
    token = raw.token()
    total = raw.call("GET", "/projects", token, params={"limit": 4}).json()["total"]
    past = raw.call("GET", "/projects", token, params={"page": 99, "limit": 4}).json()
    assert past["page"] == -(-total // 4)


def test_formatted_times_are_utc_z_and_raw_ones_are_local(raw: Raw) -> None:
    token = raw.token()
    project = raw.call("GET", "/projects", token, params={"limit": 1}).json()["projects"][0]
    assert project["openedDate"].endswith("Z")
    assert project["realEnd"] == "0000-00-00"  # not in the list's format spec: raw
    assert project["deleted"] == "0"
    plan_id = raw.call("GET", "/products/1/plans", token).json()["plans"][0]["id"]
    plan = raw.call("GET", f"/productplans/{plan_id}", token).json()
    story = plan["stories"][0]
    assert "T" not in story["openedDate"]
    assert len(story["openedDate"]) == 19
    assert plan["deleted"] is False


def test_user_fields_are_objects_in_task_views_and_accounts_in_edit_answers(raw: Raw) -> None:
    token = raw.token()
    task = raw.call("GET", "/executions/1/tasks", token).json()["tasks"][0]
    assert isinstance(task["openedBy"], dict)
    assert "realname" in task["openedBy"]
    edited = raw.call("PUT", f"/tasks/{task['id']}", token, json={"pri": 2}).json()
    assert isinstance(edited["openedBy"], str)


def test_json_is_escaped_like_php(raw: Raw) -> None:
    token = raw.token()
    text = raw.call("GET", "/projects", token, params={"limit": 1}).text
    assert "\\u003Cp\\u003E" in text
    assert "\\/" in text
    assert "\\u" in text
    assert json.loads(text)["projects"][0]["desc"].startswith("<p>")


def test_missing_required_field_is_a_string_error(raw: Raw) -> None:
    token = raw.token()
    response = raw.call("POST", "/projects", token, json={"name": "x", "begin": "2025-01-01"})
    assert response.status_code == 400
    assert response.json() == {"error": "『项目代号』不能为空。"}


def test_validation_errors_are_objects_of_field_messages(raw: Raw) -> None:
    token = raw.token()
    code = raw.call("GET", "/projects", token).json()["projects"][0]["code"]
    body = {
        "name": "新项目",
        "code": code,
        "begin": "2025-05-01",
        "end": "2025-01-01",
        "products": [1],
    }
    error = raw.call("POST", "/projects", token, json=body).json()["error"]
    assert set(error) == {"code", "end"}
    assert "已经有" in error["code"][0]


def test_task_edit_answers_200_even_when_it_failed(raw: Raw, sandbox: ZentaoSandbox) -> None:
    token = raw.token()
    task = raw.call("GET", "/executions/1/tasks", token).json()["tasks"][0]
    response = raw.call(
        "PUT", f"/tasks/{task['id']}", token, json={"name": "改名", "deadline": "2000-01-01"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == task["name"]  # nothing was saved
    assert sandbox.get_record("tasks", str(task["id"]))["name"] == task["name"]  # type: ignore[index]


def test_plan_create_answers_200_and_wraps_errors(raw: Raw) -> None:
    token = raw.token()
    created = raw.call(
        "POST",
        "/products/1/plans",
        token,
        json={"title": "M9", "begin": "2025-01-01", "end": "2025-02-01"},
    )
    assert created.status_code == 200
    assert created.json()["stories"] == []
    refused = raw.call("POST", "/products/1/plans", token, json={"begin": "2025-01-01"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"]["title"] == ["『名称』不能为空。"]


def test_story_put_ignores_spec_but_change_makes_a_new_version(raw: Raw) -> None:
    token = raw.token()
    story = raw.call("GET", "/products/1/stories", token, params={"status": "allstory"}).json()[
        "stories"
    ][0]
    raw.call("PUT", f"/stories/{story['id']}", token, json={"spec": "<p>new</p>", "pri": 1})
    after = raw.call("GET", f"/stories/{story['id']}", token).json()
    assert after["spec"] == story["spec"]
    assert after["pri"] == 1
    raw.call(
        "POST",
        f"/stories/{story['id']}/change",
        token,
        json={"title": story["title"], "spec": "<p>new</p>"},
    )
    changed = raw.call("GET", f"/stories/{story['id']}", token).json()
    assert changed["spec"] == "<p>new</p>"
    assert changed["version"] == story["version"] + 1


def test_story_close_sets_status_and_stage(raw: Raw) -> None:
    token = raw.token()
    story = raw.call("GET", "/products/1/stories", token).json()["stories"][0]
    closed = raw.call(
        "POST", f"/stories/{story['id']}/close", token, json={"closedReason": "done"}
    ).json()
    assert (closed["status"], closed["stage"], closed["closedReason"]) == (
        "closed",
        "closed",
        "done",
    )


def test_task_actions_keep_the_hour_books(raw: Raw) -> None:
    token = raw.token()
    body = {
        "name": "部署",
        "type": "devel",
        "assignedTo": "lina",
        "estimate": 8,
        "estStarted": "2030-01-01",
        "deadline": "2030-01-02",
    }
    execution = raw.call("GET", "/executions", token, params={"status": "wait"}).json()[
        "executions"
    ][0]
    body.update(estStarted=execution["begin"], deadline=execution["end"])
    task = raw.call("POST", f"/executions/{execution['id']}/tasks", token, json=body)
    assert task.status_code == 201, task.text
    tid = task.json()["id"]
    assert task.json()["lastEditedDate"] is None  # never edited
    raw.call("POST", f"/tasks/{tid}/start", token, json={"left": 6, "consumed": 2})
    done = raw.call(
        "PUT",
        f"/tasks/{tid}/finish",
        token,
        json={"currentConsumed": 3, "finishedDate": "2030-01-02"},
    ).json()
    assert (done["status"], done["consumed"], done["left"]) == ("done", 5, 0)


def test_deleted_records_leave_lists_but_resolve_by_id(raw: Raw, sandbox: ZentaoSandbox) -> None:
    token = raw.token()
    pid = sorted(sandbox.remote_ids("projects"), key=int)[0]
    assert raw.call("DELETE", f"/projects/{pid}", token).json() == {"message": "success"}
    listed = raw.call("GET", "/projects", token, params={"limit": 500}).json()["projects"]
    assert pid not in {str(p["id"]) for p in listed}
    assert raw.call("GET", f"/projects/{pid}", token).json()["deleted"] is True


@pytest.mark.parametrize("sandbox_options", [{"string_numbers": True, "web_root": "/zentao"}])
def test_string_numbers_and_a_web_root(raw: Raw, sandbox_options: dict[str, Any]) -> None:
    assert raw.api.endswith("/zentao/api.php/v1")
    token = raw.token()
    execution = raw.call("GET", "/executions", token).json()["executions"][0]
    assert isinstance(execution["id"], str)
    assert isinstance(execution["project"], str)


def test_unknown_route_is_404_json(raw: Raw) -> None:
    response = raw.call("GET", "/nothing/here", raw.token())
    assert response.status_code == 404
    assert response.json() == {"error": "404 Not found"}
