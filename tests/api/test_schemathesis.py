"""Property-based API test: Schemathesis over every operation of the OpenAPI schema.

For each operation, Schemathesis generates valid and invalid requests from the schema and sends
them to the app in-process (ASGI). Requests carry an admin session, so protected endpoints are
reached past the login check; integration endpoints (CTI, ``/api/v1/…``) get a valid
integration token with every integration scope. Checks: never a 5xx,
the response body matches the documented schema for its status, and the content type is the one
documented, every status answered is documented, schema-invalid input is refused, and schema-valid
input is accepted unless the operation documents the rule that refused it (``x-refusals``: a rule
a JSON schema cannot state, such as one date before another or a record that must exist; the
refusal must name one of the fields listed). All failing operations are collected and reported
together.

Runtime is bounded: ``ZONGJI_SCHEMATHESIS_EXAMPLES`` examples per operation and generation mode
on SQLite (default 25) and ``ZONGJI_SCHEMATHESIS_EXAMPLES_PG`` on PostgreSQL (default 10: one
shorter pass, as the operations are many), derandomized so a run is repeatable. The operations
are shared out among ``SHARDS`` tests so that parallel workers run them side by side.
"""

from __future__ import annotations

import os
import random
import secrets
import traceback
import uuid
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zongji.services import auth
from zongji.store.models import IntegrationToken, LoginSession, User, utcnow

pytestmark = pytest.mark.slow  # handed out first (tests/conftest.py)

MAX_EXAMPLES = {
    "sqlite": int(os.environ.get("ZONGJI_SCHEMATHESIS_EXAMPLES", "25")),
    "postgresql": int(os.environ.get("ZONGJI_SCHEMATHESIS_EXAMPLES_PG", "10")),
}


def documented_positive_data_acceptance(ctx, response, case):
    """Schemathesis's positive_data_acceptance, except that a refusal naming a field the operation
    lists in ``x-refusals`` is the documented rule at work."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        documented = (case.operation.definition.raw or {}).get("x-refusals") or {}
        try:
            field = response.json().get("field")
        except Exception:
            field = None
        if field is not None and str(field).split(".")[0] in documented:
            return None
        if _is_broken_text_refusal(response):
            return None
        raise


def _is_broken_text_refusal(response) -> bool:
    """The app-wide rule (zongji.api.errors.reject_broken_text, stated in the API description):
    text holding NUL, in a value or a key a schema cannot constrain, is refused naming the field."""
    try:
        body = response.json()
    except Exception:
        return False
    return response.status_code == 422 and "holds a character text cannot hold" in str(body.get("message"))


def documented_negative_data_rejection(ctx, response, case):
    """Schemathesis's negative_data_rejection, with 413 as a refusal: a body over the endpoint's
    limit is refused before it is read, whatever else is wrong with it."""
    if response.status_code == 413:
        return None
    if (case.media_type or "").startswith("multipart/"):
        # Every part of a multipart form reaches the server as text: the generator's "wrong type"
        # (a number or a boolean where the schema says string) is the same text a person could
        # type, so "schema-violating" cannot be told from valid there. The form's refusals are
        # tested by its own tests (tests/api/test_public_intake_api.py).
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
    documented_negative_data_rejection,
    documented_positive_data_acceptance,
    missing_required_header,
    ignored_auth,
]

# Operations that end the credentials they are called with; fresh ones are issued after each.
_CREDENTIAL_ENDING = ("logout", "revoke", "deactivate")


# Scopes of the integration token: every integration endpoint is reached past its token check.
INTEGRATION_SCOPES = "cti,wakeup,pms,sms"


class Credentials:
    """An admin session and an integration token, written straight to the database (no password hashing
    per refresh), renewed whenever an operation may have revoked them."""

    def __init__(self, write, admin_username: str):
        self._write = write
        self._admin_username = admin_username
        self.session_token = ""
        self.cti_token = ""
        self.refresh()

    def refresh(self) -> None:
        from sqlalchemy import select

        session_token = secrets.token_urlsafe(32)
        cti_token = "zj_" + secrets.token_urlsafe(32)
        with self._write() as s:
            user = s.scalar(select(User).where(User.username == self._admin_username))
            user.active = True
            s.add(LoginSession(token_hash=auth.hash_token(session_token), user_id=user.id,
                               expires_at=utcnow().replace(year=utcnow().year + 1)))
            s.add(IntegrationToken(name=f"schemathesis-{uuid.uuid4().hex[:6]}",
                                   token_hash=auth.hash_token(cti_token),
                                   scopes=INTEGRATION_SCOPES))
        self.session_token, self.cti_token = session_token, cti_token


def _is_integration(path: str) -> bool:
    return path.startswith("/api/cti") or path.startswith("/api/v1/")


def _run_operation(operation, creds: Credentials, examples: int) -> None:
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # an operation with nothing to negate has no negative strategy
            continue
    path = operation.path
    ends_credentials = operation.method.upper() != "GET" and any(
        word in path for word in _CREDENTIAL_ENDING
    )

    @settings(
        max_examples=examples * len(strategies),
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=st.one_of(*strategies))
    def run(case):
        if case.path_parameters and "token" in case.path_parameters and _is_integration(path):
            case.path_parameters["token"] = creds.cti_token
        token = creds.cti_token if _is_integration(path) else creds.session_token
        try:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )
        finally:
            if ends_credentials:
                creds.refresh()

    # Schemathesis's negative mutations draw from the global ``random`` module besides
    # Hypothesis's seeded draws: seed it per operation, so a run is the same on every machine.
    random.seed(zlib.crc32(f"{operation.method} {path}".encode()))
    run()


@pytest.fixture
def app(settings):
    """The API without the process's background work (job worker, diallers; the live feed's
    safety poll at its production interval): the answers do not depend on it, and its polling
    would take the interpreter from the requests for the length of the run."""
    from zongji.api.app import create_app

    return create_app(settings.model_copy(update={"run_worker_in_server": False, "feed_safety_poll_seconds": 1.0}))


# The operations are shared out among this many tests (by a hash of method and path), so that
# parallel workers take a share each instead of one worker running all of them at the end.
SHARDS = 4


def _shard_of(method: str, path: str) -> int:
    return zlib.crc32(f"{method.upper()} {path}".encode()) % SHARDS


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_conforms_and_never_5xx(app, make_user, write, backend, shard):
    admin_username, _ = make_user("admin")
    creds = Credentials(write, admin_username)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if _shard_of(operation.method, operation.path) != shard:
                continue
            operations += 1
            try:
                _run_operation(operation, creds, MAX_EXAMPLES[backend])
            # Collect, so one run reports every failing operation. Check failures arrive as a
            # schemathesis FailureGroup, a BaseExceptionGroup (not an Exception).
            except (Exception, BaseExceptionGroup) as exc:
                # Includes the exception's notes: the curl command that reproduces it.
                text = "".join(traceback.format_exception_only(type(exc), exc))
                failures.append(f"{operation.method.upper()} {operation.path} [{backend}]\n{text}")
    finally:
        from schemathesis.python.asgi import shutdown_lifespans

        shutdown_lifespans()
    assert operations > 0
    assert not failures, "\n\n".join(failures)
