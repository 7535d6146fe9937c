"""Who may call: sessions from a login, and sessions minted on the fly for signed calls.

The real server checks credentials only when a call carries no *valid* session:
a live ``kdservice-sessionid`` (cookie or header) is trusted as is; otherwise
signed headers are verified and a new session is issued silently; otherwise the
call is refused with "session lost" (MsgCode 1). Idle sessions expire after
``ttl`` seconds of the sandbox clock.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from connectors.kingdee.signing import (
    SigningIdentity,
    client_secret,
    sign,
    signing_path,
    string_to_sign,
)


@dataclass(frozen=True, slots=True)
class Account:
    """The one data centre and integration user the sandbox knows."""

    acct_id: str
    user_name: str
    password: str
    app_id: str
    app_secret: str
    lcid: int = 2052


@dataclass(slots=True)
class Session:
    """A server-side context; ``valid`` is False for the empty shell a failed check leaves."""

    id: str
    last_used: datetime
    valid: bool = True


class Verdict(Enum):
    """Outcome of checking a call's credentials."""

    OK = "ok"
    LOST = "lost"
    WRONG_ACCT = "wrong_acct"


class Sessions:
    """Issued sessions and the credential checks; guarded by the sandbox lock."""

    def __init__(self, account: Account, clock: Callable[[], datetime]) -> None:
        self.account = account
        self.clock = clock
        self.ttl: float | None = None
        self.signed_silent_renewal = True
        self._sessions: dict[str, Session] = {}
        self.logins = 0
        self.signed_sessions = 0

    def issue(self, *, valid: bool = True) -> Session:
        """A new session id (a GUID, as the server's)."""
        session = Session(str(uuid.uuid4()), self.clock(), valid)
        self._sessions[session.id] = session
        return session

    def expire_all(self) -> None:
        """Every issued session becomes unknown-to-be-valid, as a timeout would make it."""
        for session in self._sessions.values():
            session.valid = False

    def live(self, session_id: str | None) -> Session | None:
        """The session if it exists, is valid and has not idled past ``ttl``; touches it."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None or not session.valid:
            return None
        now = self.clock()
        if self.ttl is not None and now - session.last_used > timedelta(seconds=self.ttl):
            session.valid = False
            return None
        session.last_used = now
        return session

    def known(self, session_id: str | None) -> bool:
        """Whether the id was issued by this server (even if it has expired since)."""
        return bool(session_id) and session_id in self._sessions

    # -- credential checks ------------------------------------------------------------
    def login(self, acct: str, user: str, secret_ok: bool) -> tuple[Session | None, str]:
        """Check a login's credentials; the message is the server's when it refuses."""
        if acct != self.account.acct_id:
            return None, "数据中心不存在或已被禁用，请检查数据中心ID。"
        if user != self.account.user_name or not secret_ok:
            return None, "用户名或密码错误！"
        self.logins += 1
        return self.issue(), ""

    def check_signed(self, headers: Mapping[str, str], url: str) -> Verdict:
        """Verify both HMACs and the identity in ``X-Kd-Appdata``."""
        app_id = headers.get("x-kd-appkey", "")
        try:
            app_data = base64.b64decode(headers.get("x-kd-appdata", ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return Verdict.LOST
        parts = app_data.split(",")
        if len(parts) != 4:
            return Verdict.LOST
        acct, user, lcid, _org = parts
        if acct != self.account.acct_id:
            return Verdict.WRONG_ACCT
        expected_app = self.account.app_id
        if (
            app_id != expected_app
            or user != self.account.user_name
            or lcid != str(self.account.lcid)
        ):
            return Verdict.LOST
        ts = headers.get("x-api-timestamp", "")
        nonce = headers.get("x-api-nonce", "")
        api_sig = sign(string_to_sign(signing_path(url), nonce, ts), client_secret(app_id))
        kd_sig = sign(app_id + app_data, self.account.app_secret)
        if not (
            hmac.compare_digest(api_sig, headers.get("x-api-signature", ""))
            and hmac.compare_digest(kd_sig, headers.get("x-kd-signature", ""))
        ):
            return Verdict.LOST
        self.signed_sessions += 1
        return Verdict.OK

    def identity(self) -> SigningIdentity:
        """The account as a signing identity (for tests that sign by hand)."""
        a = self.account
        return SigningIdentity(a.acct_id, a.user_name, a.app_id, a.app_secret, a.lcid)
