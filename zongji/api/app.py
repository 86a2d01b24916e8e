"""The application factory: one FastAPI app serving the API, the live feed and the console."""

from __future__ import annotations

import functools
import gc
import threading
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute

from zongji import __version__
from zongji.api.guards import Guards, install_access_log_redaction
from zongji.services import prompts as prompts_service
from zongji.api import errors
from zongji.api.routers import (
    auth,
    bookings,
    calls,
    charges,
    catalogue,
    cti,
    directory,
    dispatch,
    emergency,
    evaluation,
    fias,
    guest_files,
    guestsvc,
    holds,
    intake,
    knowledge,
    live,
    open311,
    phrases,
    public_intake,
    pms,
    presence,
    outbound,
    retention,
    roster,
    prompts,
    room_board,
    stats,
    switchboard,
    travel_bookings,
    users,
    weather,
    wakeups,
    work_order_admin,
    work_orders,
)
from zongji.bootstrap import bootstrap
from zongji.domain import chinese_text
from zongji.services import auth as auth_service
from zongji.settings import Settings, get_settings
from zongji.web.install import install as install_console
from zongji.worker.runner import start_in_thread
from zongji.worker import dialling, emergency_dialler, outbound_dialler, wakeup_dialler


def tune_gc(gen0_threshold: int) -> None:
    """For a server process, once its app is built: keep garbage-collector pauses off the request
    path. What start-up loaded (modules, models, metadata) is frozen so collections never scan it
    again, and the young generations are collected less often. Measured with bench/cti_ingest.py:
    p99 163 ms → 28 ms on SQLite at 32 connections (settings.gc_gen0_threshold; 0: off)."""
    if gen0_threshold > 0:
        gc.collect()
        gc.freeze()
        gc.set_threshold(gen0_threshold, 50, 1000)
    gc.enable()  # the CLI turns collection off while the app is being built (zongji.cli)


@functools.cache
def area_routes() -> APIRouter:
    """Every area's routes and the console's pages in one router, built once per process and
    mounted by every app of it (the tests make hundreds). The areas' routes are added as their
    modules built them (with the text check, ``errors.area_router``), not included: FastAPI
    builds an included router's routes again on its first request (≈ 0.4 s at start-up). A
    handler reaches its app's runtime through ``request.app``, never through the router."""
    router = APIRouter()
    for module in (auth, users, directory, calls, cti, live, work_orders, work_order_admin, wakeups,
                   switchboard, pms, room_board, prompts, stats, presence, roster, phrases, holds,
                   dispatch, knowledge, catalogue, evaluation, fias, guestsvc, charges, weather, guest_files,
                   intake, open311, public_intake, emergency, retention, bookings, travel_bookings, outbound):
        router.routes.extend(module.router.routes)  # as they are: see errors.area_router
    install_console(router)
    unchecked = [getattr(r, "path", r) for r in router.routes if isinstance(r, (APIRoute, APIWebSocketRoute))
                 and not any(d.dependency is errors.reject_broken_text for d in r.dependencies)]
    if unchecked:  # a router made with APIRouter instead of errors.area_router
        raise RuntimeError(f"routes without the text check (use errors.area_router): {unchecked}")
    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app on its own runtime (``zongji.bootstrap``), built here once from ``settings`` and
    kept on ``app.state.runtime`` (with its settings, engine and session factory beside it)."""
    settings = settings or get_settings()
    auth_service.use_password_hashing(time_cost=settings.password_hash_time_cost,
                                      memory_kib=settings.password_hash_memory_kib)
    runtime = bootstrap(settings)
    engine = runtime.engine

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Background parts of this process (live-feed poller, CTI group-commit writer) start
        # here and stop when the server stops.
        worker = None
        if settings.run_worker_in_server:
            worker = start_in_thread(runtime, poll_seconds=settings.worker_poll_seconds)
        dialler = None
        if settings.run_worker_in_server and settings.wakeup_dialler_in_server:  # wake-up calls (issue 5)
            dialler = wakeup_dialler.start_in_thread(app.state.session_factory, settings)
        emergency = None
        if settings.run_worker_in_server and settings.emergency_dialler_in_server:  # issue 14
            emergency = emergency_dialler.start_in_thread(app.state.session_factory, settings)
        outbound_calls = None
        if settings.run_worker_in_server and settings.outbound_dialler_in_server:  # issue 14 point 4
            outbound_calls = outbound_dialler.start_in_thread(app.state.session_factory, settings)
        warm = threading.Timer(settings.warm_up_seconds, chinese_text.warm_up)
        warm.daemon = True
        warm.start()
        async with live.running(app), cti.running(app):
            yield
        warm.cancel()
        if worker is not None:
            thread, stop = worker
            stop.set()
            thread.join(timeout=10)
        for parts in (dialler, emergency, outbound_calls):
            if parts is not None:
                dialling.stop_in_thread(parts)
        engine.dispose()

    app = FastAPI(
        title="Zongji API",
        version=__version__,
        description=(
            "Switchboard and service-hotline platform. See README.md for the CTI contract.\n\n"
            "Every refusal is a JSON `ErrorOut` naming the field at fault. Text holding NUL or a lone "
            "UTF-16 surrogate, in any value or key, is refused with 422. Where an operation refuses "
            "schema-valid input by a rule a schema cannot state (one date before another, a record "
            "that must exist), its `x-refusals` names each such field with the rule."
        ),
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = runtime.session_factory
    errors.install_error_handlers(app)
    # After FastAPI's own routes (/openapi.json, /docs): everything else.
    app.mount("", area_routes())
    errors.install_openapi_documentation(app, area_routes().routes)
    install_access_log_redaction()
    # Forged cross-site requests refused, request bodies bounded (issue 12): outermost.
    app.add_middleware(Guards, max_body=settings.max_body_bytes,
                       upload_max=max(settings.attachment_max_bytes, prompts_service.MAX_UPLOAD_BYTES) + 64 * 1024,
                       allowed_origins=[o for o in settings.allowed_origins.split(",") if o.strip()],
                       upload_paths=("/attachments", "/api/prompts", "/api/public/requests"))
    return app


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory zongji.api.app:app_from_env`` (used by zongji serve)."""
    app = create_app()
    tune_gc(app.state.settings.gc_gen0_threshold)
    return app
