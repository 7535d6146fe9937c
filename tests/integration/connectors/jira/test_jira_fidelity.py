"""Fidelity: the `jira` package (pycontribs), unchanged, against the sandbox.

It creates an issue, searches it back by JQL and transitions it, through its own
code paths (serverInfo on v2, the field cache, name-to-id resolution of the
issue type, ``search/jql`` with page tokens on Cloud and ``search`` with
startAt on Data Center, ``self`` URLs for re-reads).
"""

from __future__ import annotations

from jira import JIRA

from connectors.jira.sandbox import JiraSandbox
from connectors.sdk.sandbox import SandboxServer


def _client(sandbox: JiraSandbox, server: SandboxServer) -> JIRA:
    creds = sandbox.credentials(server.url)
    if sandbox.flavour == "cloud":
        return JIRA(server=creds["base_url"], basic_auth=(creds["email"], creds["api_token"]))
    return JIRA(server=creds["base_url"], token_auth=creds["pat"])


def test_jira_package_creates_searches_and_transitions(
    sandbox: JiraSandbox, server: SandboxServer
) -> None:
    client = _client(sandbox, server)
    try:
        assert client._is_cloud == (sandbox.flavour == "cloud")
        issue = client.create_issue(
            project=sandbox.project_key,
            summary="Fidelity check 保真",
            description="Created by the *jira* package.",
            issuetype={"name": "Task"},
            labels=["fidelity"],
        )
        assert issue.key.startswith(f"{sandbox.project_key}-")
        assert issue.fields.summary == "Fidelity check 保真"
        assert issue.fields.status.name == "To Do"

        found = client.search_issues(
            f'project = {sandbox.project_key} AND labels = "fidelity" ORDER BY created DESC',
            maxResults=10,
        )
        assert [i.key for i in found] == [issue.key]
        assert found[0].fields.description == "Created by the *jira* package."

        names = {t["name"]: t["id"] for t in client.transitions(issue)}
        assert set(names) == {"Start work"}, "only transitions valid from To Do are offered"
        client.transition_issue(issue, names["Start work"])
        client.transition_issue(issue, "Done", fields={"resolution": {"name": "Done"}})

        again = client.issue(issue.key)
        assert again.fields.status.name == "Done"
        assert again.fields.status.statusCategory.key == "done"
        assert again.fields.resolution.name == "Done"

        issue.update(summary="Fidelity check, renamed")  # PUT to the issue's self URL
        assert client.issue(issue.key).fields.summary == "Fidelity check, renamed"
        stored = sandbox.issue_by_key(issue.key)
        assert stored is not None
        assert stored.status == "10001"
    finally:
        client.close()
