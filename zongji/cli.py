"""The ``zongji`` command line (Typer)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from zongji.errors import ZongjiError
from zongji.settings import Settings, SettingsError
from zongji.settings import get_settings as _load_settings


def _building_a_server() -> None:
    """Start-up of a server (its modules, models and routes) allocates hundreds of thousands of
    objects that live as long as the process: collections during it only scan them again. Off
    until the app is built; api.app.tune_gc freezes what start-up made and turns collection back
    on (the import of zongji.api.app: 2.2–2.4 s → 1.9–2.0 s on the 2-core machine)."""
    gc.disable()

app = typer.Typer(help="Zongji (总机): switchboard and service-hotline platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="People who log in.", no_args_is_help=True)
token_app = typer.Typer(help="Integration tokens (PBX, PMS …).", no_args_is_help=True)
import_app = typer.Typer(help="Import data.", no_args_is_help=True)
simulate_app = typer.Typer(help="Simulators for demos and load.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(simulate_app, name="simulate")
stats_app = typer.Typer(help="Statistics: the call aggregates behind reports and the wallboard.", no_args_is_help=True)
app.add_typer(stats_app, name="stats")
prompts_app = typer.Typer(help="Recorded voice prompts (wake-up greetings) replacing synthesis.",
                          no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


def _session_factory(settings: Settings):
    from zongji.store.db import make_engine, make_session_factory

    return make_session_factory(make_engine(settings.resolved_database_url))


def get_settings() -> Settings:
    """The settings; a bad one stops the command with a line naming it and what it accepts."""
    try:
        return _load_settings()
    except SettingsError as exc:
        for line in exc.lines:
            typer.secho(f"error: {line}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def _fail(exc: ZongjiError) -> None:
    field = f" ({exc.field})" if exc.field else ""
    typer.secho(f"error{field}: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or upgrade the schema (Alembic) in ZONGJI_DATABASE_URL."""
    from zongji.store.migrate import upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}: {_safe_url(settings.resolved_database_url)}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="operator, shift_leader, supervisor, unit_handler or admin")],
    display_name: Annotated[str | None, typer.Option("--name", help="Name shown in the console")] = None,
    operator_number: Annotated[str | None, typer.Option(help="Operator work number (工号)")] = None,
    password: Annotated[str | None, typer.Option(help="Asked for if not given")] = None,
) -> None:
    """Add a person who logs in to the console."""
    from zongji.services import auth
    from zongji.store.db import transaction

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_session_factory(get_settings())) as s:
            user = auth.create_user(s, username=username, password=password, role=role,
                                    display_name=display_name, operator_number=operator_number)
            typer.echo(f"user {user.username} ({user.role}) added")
    except ZongjiError as exc:
        _fail(exc)


@prompts_app.command("upload")
def prompts_upload(
    segment: Annotated[str, typer.Argument(help="Prompt segment, e.g. wakeup-0700 (the wake-up greeting at 07:00)")],
    file: Annotated[Path, typer.Argument(help="A PCM WAV (8–96 kHz; converted to the telephony rate)", exists=True, dir_okay=False)],
    language: Annotated[str | None, typer.Option(help="zh or en: the recording replaces this language only (default: the whole greeting)")] = None,
) -> None:
    """Upload a recorded prompt; it replaces the synthesized one (docs/wakeups.md)."""
    from zongji.services import prompts
    from zongji.store.db import transaction

    settings = get_settings()
    try:
        with transaction(_session_factory(settings)) as s:
            out = prompts.upload_file(s, prompts.store_for(settings), segment=segment,
                                      language=language, path=file, actor="cli")
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"prompt {out['key']} stored: {out['seconds']} s at {out['sample_rate']} Hz")


@prompts_app.command("list")
def prompts_list() -> None:
    """List uploaded prompts."""
    from zongji.services import prompts

    settings = get_settings()
    items = prompts.list_uploads(prompts.store_for(settings))
    for p in items:
        typer.echo(f"{p['key']}\t{p['seconds']} s\t{p['sample_rate']} Hz")
    if not items:
        typer.echo("no uploaded prompts (all prompts are synthesized)")


@prompts_app.command("remove")
def prompts_remove(key: Annotated[str, typer.Argument(help="Prompt key, e.g. wakeup-0700-zh")]) -> None:
    """Remove an uploaded prompt (the synthesized one is used again)."""
    from zongji.services import prompts
    from zongji.store.db import transaction

    settings = get_settings()
    try:
        with transaction(_session_factory(settings)) as s:
            prompts.remove(s, prompts.store_for(settings), key=key, actor="cli")
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"prompt {key} removed")


@token_app.command("add")
def token_add(
    name: str,
    scopes: Annotated[str, typer.Option(help="Comma-separated scopes")] = "cti",
) -> None:
    """Create an integration token; it is printed once and stored only as a hash."""
    from zongji.services import auth
    from zongji.store.db import transaction

    try:
        with transaction(_session_factory(get_settings())) as s:
            issued = auth.add_integration_token(s, name, scopes=scopes)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"token #{issued.id} for {name}: {issued.token}")
    typer.echo("Keep it secret: it is not shown again. Revoke with `zongji token revoke ID`.")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke an integration token at once."""
    from zongji.services import auth
    from zongji.store.db import transaction

    try:
        with transaction(_session_factory(get_settings())) as s:
            auth.revoke_integration_token(s, token_id)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"token #{token_id} revoked")


@simulate_app.command("calls")
def simulate_calls(
    url: Annotated[str, typer.Option(help="Base URL of the running Zongji server")] = "http://127.0.0.1:8000",
    token: Annotated[str, typer.Option(help="CTI integration token")] = "demo-cti-token",
    rate: Annotated[float, typer.Option(help="New calls per minute (on average)", min=0.01)] = 6.0,
    duration: Annotated[float | None, typer.Option(help="Stop starting calls after this many seconds")] = None,
    count: Annotated[int | None, typer.Option(help="Stop after this many calls", min=1)] = None,
    zammad: Annotated[bool, typer.Option(help="Use Zammad's endpoint (form-encoded) instead of JSON")] = False,
    speed: Annotated[float, typer.Option(help="Time compression: 10 plays ten times faster", min=0.01)] = 1.0,
    seed: Annotated[int | None, typer.Option(help="Random seed, for repeatable runs")] = None,
    quiet: Annotated[bool, typer.Option(help="Do not print each call")] = False,
) -> None:
    """Play realistic calls (rings, answers, transfers, abandons, hang-ups) into a running server."""
    import asyncio

    from zongji.demo.simulator import call_mix
    from zongji.telephony.simulator import Simulator

    sim = Simulator(url=url, token=token, zammad=zammad, speed=speed, seed=seed,
                    echo=None if quiet else typer.echo, mix=call_mix())
    endpoint = f"{url.rstrip('/')}/api/v1/cti/…" if zammad else f"{url.rstrip('/')}/api/cti/events"
    typer.echo(f"simulating {rate:g} calls/min into {endpoint} (Ctrl+C to stop)")
    try:
        stats = asyncio.run(sim.run(rate=rate, count=count, duration=duration))
    except PermissionError as exc:
        _fail(ZongjiError(str(exc), field="token"))
    except KeyboardInterrupt:
        stats = sim.stats
    endings = ", ".join(f"{k} {v}" for k, v in sorted(stats.endings.items())) or "none finished"
    typer.echo(f"{stats.calls} calls, {stats.events} events sent ({endings})")
    if stats.errors:
        typer.secho(f"errors: {dict(stats.errors)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)


@import_app.command("directory")
def import_directory(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK) or XLSX file", exists=True, dir_okay=False)],
    org: Annotated[str | None, typer.Option(help="Organisation code (default: the only one)")] = None,
) -> None:
    """Import people, departments and common numbers; rejected rows are listed by row and field."""
    from rich.progress import Progress

    from zongji.services import importer
    from zongji.store.db import transaction

    try:
        total = importer.count_rows(file)
        with transaction(_session_factory(get_settings())) as s, Progress(transient=True) as bar:
            task = bar.add_task(f"importing {file.name}", total=total)
            organisation = importer.resolve_organisation(s, org)
            report = importer.import_directory(
                s, file, organisation=organisation,
                progress=lambda done: bar.update(task, completed=done),
            )
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"{report.rows} rows: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected")
    for line in report.lines():
        typer.secho(f"  {line}", fg=typer.colors.YELLOW)
    if report.rejected:
        raise typer.Exit(1)


@stats_app.command("rebuild")
def stats_rebuild(
    date_from: Annotated[str | None, typer.Option("--from", help="First local day, YYYY-MM-DD (default: the first call)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last local day, YYYY-MM-DD (default: today)")] = None,
) -> None:
    """Recount the call and work-order aggregates of a range of days from the raw calls (after a restore, a fix
    made by hand, or changed statistics settings), a day per transaction."""
    import datetime as dt

    from sqlalchemy import func, select

    from zongji.services.stats import aggregates, order_aggregates
    from zongji.store.db import transaction
    from zongji.store.models import Call

    settings = get_settings()
    factory = _session_factory(settings)
    try:
        first = dt.date.fromisoformat(date_from) if date_from else None
        last = dt.date.fromisoformat(date_to) if date_to else dt.datetime.now(settings.tz).date()
    except ValueError:
        typer.secho("--from and --to are dates: YYYY-MM-DD", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    if first is None:
        with transaction(factory) as s:
            earliest = s.scalar(select(func.min(Call.ringing_at)))
        first = earliest.astimezone(settings.tz).date() if earliest else last
    if last < first:
        typer.secho("--to is before --from", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    slots = rows = 0
    day = first
    while day <= last:
        with transaction(factory) as s:
            done = aggregates.rebuild(s, settings, day, day)
            order_rows = order_aggregates.rebuild(s, settings, day, day)["rows"]
        slots, rows = slots + done["slots"], rows + done["rows"] + order_rows
        day += dt.timedelta(days=1)
    typer.echo(f"rebuilt {first} … {last}: {slots} slots, {rows} rows")


@app.command()
def backup(target: Annotated[Path, typer.Argument(help="A .tar.gz file to write, or a folder to put one in")]) -> None:
    """Back up the database and the data folder (attachments, prompts) into one archive, consistent
    while the server runs (SQLite online backup API; PostgreSQL pg_dump)."""
    from zongji.services import backup as service

    try:
        r = service.backup(get_settings(), target)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"backup written: {r.path} ({r.database}, schema {r.revision or '-'}, {r.files} files, {r.bytes} bytes)")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A backup written by zongji backup")],
    force: Annotated[bool, typer.Option(help="Restore over a database or data folder that holds data")] = False,
) -> None:
    """Restore a backup into ZONGJI_DATABASE_URL and ZONGJI_DATA_DIR (empty unless --force), check
    every checksum first, then upgrade the schema to this version."""
    from zongji.services import backup as service

    try:
        r = service.restore(get_settings(), source, force=force)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"restored: {r['database']} from {r['created_at']}, schema {r['from_revision']} → {r['revision']}, "
               f"{r['files']} files")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve Zongji in production. Database from ZONGJI_DATABASE_URL."""
    if workers == 1:  # this process builds the app (with several, each worker process does)
        _building_a_server()
    import uvicorn

    from zongji.store.migrate import upgrade

    upgrade(get_settings().resolved_database_url)
    uvicorn.run("zongji.api.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="info")


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Folder of the demo database (default: ZONGJI_DATA_DIR or ./data)")] = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    simulate: Annotated[bool, typer.Option(help="Also run the call simulator so calls come in by themselves")] = False,
) -> None:
    """Run a demo: an SQLite database with the demo organisations, served at http://HOST:PORT."""
    _building_a_server()
    import socket

    import uvicorn

    from zongji.api.app import create_app, tune_gc
    from zongji.demo import data as demo_data
    from zongji.demo import intake as intake_demo
    from zongji.store.db import transaction
    from zongji.store.migrate import upgrade

    base = get_settings()
    folder = (data_dir or base.data_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "demo.db"
    url = f"sqlite:///{db_file}"
    settings = base.model_copy(update={"data_dir": folder, "database_url": url})

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            _fail(ZongjiError(f"{host}:{port} is in use; choose another with --port", field="port"))

    existed = db_file.exists()
    upgrade(url)
    # The app's runtime (zongji.bootstrap) loads the demo data, then serves it.
    app = create_app(settings)
    factory = app.state.runtime.session_factory
    history = 0
    with transaction(factory) as s:
        summary = demo_data.load_demo(s, settings)
        if not existed:
            from zongji.demo.call_history import load_call_history
            from zongji.store.models import utcnow

            history = load_call_history(s, now=utcnow())
            from zongji.demo.room_calls import load_room_calls

            load_room_calls(s, settings, now=utcnow())
            from zongji.demo.guestsvc_history import load_request_history

            load_request_history(s, now=utcnow())
    if history:  # the weeks of past calls counted into the aggregates before the first report
        from zongji.services.stats import aggregates, order_aggregates

        more = True
        while more:
            with transaction(factory) as s:
                more = bool(aggregates.fold(s, settings)["more"] | order_aggregates.fold(s, settings)["more"])

    sim_commands = {c.name or c.callback.__name__.replace("_", "-") for c in simulate_app.registered_commands}
    if simulate and "calls" not in sim_commands:
        typer.secho("note: `zongji simulate calls` is not available in this build; running without --simulate",
                    fg=typer.colors.YELLOW, err=True)
        simulate = False

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base_url = f"http://{shown_host}:{port}"
    token = demo_data.DEMO_CTI_TOKEN
    echo = typer.echo
    echo("")
    typer.secho(f"Zongji demo: {base_url}", fg=typer.colors.GREEN, bold=True)
    echo(f"  database   {db_file} ({'reused' if existed else 'created'}; delete it to start afresh)")
    echo(f"  logins     {', '.join(summary.users)} — password {demo_data.DEMO_PASSWORD}")
    echo("             (operator = 王小红 1001: the hotel's console; hotline = 林晓燕 3001: the 12345 console)")
    if history:
        echo(f"  history    {history} past calls (4 weeks): the wallboard, /reports and the staffing forecast")
    echo(f"  CTI token  {token}")
    echo(f"             Zammad:  POST {base_url}/api/v1/cti/{token}")
    echo(f"             JSON:    POST {base_url}/api/cti/events  (Authorization: Bearer {token})")
    echo(f"  PMS token  {demo_data.DEMO_PMS_TOKEN}  (check-out: POST {base_url}/api/v1/stays/check-out, "
         f"Authorization: Bearer {demo_data.DEMO_PMS_TOKEN})")
    echo(f"  SMS token  {intake_demo.DEMO_SMS_TOKEN}  (citizens' SMS: POST {base_url}/api/v1/sms/inbound; "
         f"queue on {base_url}/intake; Open311 at {base_url}/open311/v2/discovery.json)")
    if simulate:
        echo("  simulator  running: calls come in by themselves")
    else:
        echo(f"  calls      in another terminal: zongji simulate calls --url {base_url} --token {token}")
        echo(f"             or try one by hand: curl -d event=newCall -d from={demo_data.DEMO_VIP_GUEST_MOBILE} "
             f"-d to={demo_data.HOTEL_LINE_NUMBER} -d direction=in -d callId=demo-1 {base_url}/api/v1/cti/{token}")
    echo("  stop       Ctrl+C")
    echo("")

    sim: dict = {}
    if simulate:
        import subprocess
        import sys
        import threading
        import time

        def _start_simulator() -> None:
            # Wait until the server answers, then start `zongji simulate calls` against it.
            for _ in range(200):
                try:
                    socket.create_connection((shown_host, port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.1)
            sim["proc"] = subprocess.Popen([sys.executable, "-m", "zongji.cli", "simulate", "calls",
                                            "--url", base_url, "--token", token])

        threading.Thread(target=_start_simulator, daemon=True).start()
    try:
        tune_gc(settings.gc_gen0_threshold)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        proc = sim.get("proc")
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except Exception:
                proc.kill()


@app.command()
def worker(
    poll_seconds: Annotated[float, typer.Option(help="Seconds between looks for due jobs")] = 0.5,
    wakeups: Annotated[bool, typer.Option(help="Also place due wake-up and emergency calls (the diallers)")] = True,
) -> None:
    """Run timers and background jobs (wake-ups, reminders …) in this process.

    Safe to run several: each job runs once. Web servers run one too unless
    ZONGJI_RUN_WORKER_IN_SERVER=false.
    """
    import signal
    import threading

    from zongji.bootstrap import bootstrap, shutdown
    from zongji.store.migrate import upgrade
    from zongji.worker.runner import Worker

    settings = get_settings()
    upgrade(settings.resolved_database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runtime = bootstrap(settings)
    w = Worker(runtime)
    typer.echo(f"worker {w.name} running jobs: {', '.join(sorted(w.handlers)) or '(none registered)'}")
    dialler = None
    if wakeups:  # wake-up calls (issue 5): a dialler with its own lines beside the job loop
        from zongji.worker import wakeup_dialler

        dialler = wakeup_dialler.start_in_thread(runtime.session_factory, settings)
        typer.echo(f"wake-up dialler {dialler[2].name}: {dialler[2].lines} lines via "
                   f"{settings.wakeup_gateway_url or '(no gateway: manual call list)'}")
        from zongji.worker import emergency_dialler

        emergency = emergency_dialler.start_in_thread(runtime.session_factory, settings)
        typer.echo(f"emergency dialler {emergency[2].name}: {emergency[2].lines} lines")
        from zongji.worker import outbound_dialler  # automatic outbound lists (issue 14 point 4)

        outbound = outbound_dialler.start_in_thread(runtime.session_factory, settings)
        typer.echo(f"outbound dialler {outbound[2].name}: {outbound[2].lines} lines")
    w.run_forever(stop, poll_seconds=poll_seconds)
    if dialler is not None:
        from zongji.worker import dialling

        for parts in (dialler, emergency, outbound):
            dialling.stop_in_thread(parts, timeout=30)
    shutdown(runtime)


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@app.command("sip")
def sip(
    bind: Annotated[str, typer.Option(help="Address for SIP and RTP")] = "127.0.0.1",
    sip_port: Annotated[int, typer.Option(help="UDP port for SIP (0: any free port)")] = 5070,
    rtp_port: Annotated[int, typer.Option(help="First RTP port (0: PJSIP's default)")] = 0,
    public_address: Annotated[str | None, typer.Option(help="Address in Contact/SDP behind NAT")] = None,
    control_port: Annotated[int, typer.Option(help="Loopback port for the core's commands")] = 5071,
    control_token: Annotated[str | None, typer.Option(envvar="ZONGJI_SIP_CONTROL_TOKEN",
                                                      help="Bearer token the core must send")] = None,
    core_url: Annotated[str | None, typer.Option(envvar="ZONGJI_CORE_URL",
                                                 help="Core base URL for CTI events, e.g. http://127.0.0.1:8000")] = None,
    cti_token: Annotated[str | None, typer.Option(envvar="ZONGJI_CTI_TOKEN",
                                                  help="Integration token (scope cti) for POST /api/cti/events")] = None,
    caller_id: Annotated[str, typer.Option(help="Our number/name in From: and in CTI events")] = "zongji",
    line: Annotated[str | None, typer.Option(help="Line code reported with CTI events")] = None,
    registrar: Annotated[str | None, typer.Option(help="Register to a PBX, e.g. sip:pbx.example.org")] = None,
    username: Annotated[str | None, typer.Option(help="Extension/user at the PBX")] = None,
    password: Annotated[str | None, typer.Option(envvar="ZONGJI_SIP_PASSWORD")] = None,
    clock_rate: Annotated[int, typer.Option(help="Media clock rate: 8000 or 16000")] = 16000,
    max_calls: Annotated[int, typer.Option(help="Simultaneous calls (the pjsua2 wheel allows 4; run more processes for more lines)")] = 4,
    log_level: Annotated[int, typer.Option(help="PJSIP log level 0-6")] = 1,
    domain: Annotated[str | None, typer.Option(help="SIP domain for bare extensions (default: the registrar's host)")] = None,
    call: Annotated[str | None, typer.Option(help="Place one call to this SIP URI or extension, print the result, exit (a test call)")] = None,
    prompt: Annotated[str | None, typer.Option(help="WAV to play in --call")] = None,
    say_time: Annotated[str | None, typer.Option(help="With --call: synthesize the wake-up greeting for HH:MM")] = None,
    ring_timeout: Annotated[float, typer.Option(help="With --call: seconds to ring")] = 30.0,
    attendant: Annotated[str | None, typer.Option(help="Answer incoming calls to this switchboard number ('*': any) with the greeting and key menu (without it incoming calls are refused, 480)")] = None,
    attendant_menu: Annotated[Path | None, typer.Option(help="Attendant menu file (JSON or TOML): keys → target, zh, en; hotel names; timeouts")] = None,
    menu: Annotated[list[str] | None, typer.Option("--menu", help="A menu key: KEY=TARGET[|中文标签[|English label]], e.g. '1=sip:6001@pbx|预订|reservations' (repeat; wins over the file)")] = None,
    operator_key: Annotated[str | None, typer.Option(help="Menu key of the operator: no key, wrong keys and failed transfers go there (default 0)")] = None,
    hotel_name: Annotated[str | None, typer.Option(help="Hotel name in the Chinese greeting (default 示例大酒店)")] = None,
    hotel_name_en: Annotated[str | None, typer.Option(help="Hotel name in the English greeting")] = None,
    attendant_key_timeout: Annotated[float | None, typer.Option(help="Seconds to wait for a key after the greeting (default 5)")] = None,
    attendant_repeats: Annotated[int | None, typer.Option(help="Greetings repeated when no key is pressed, before the operator (default 1)")] = None,
    attendant_greeting: Annotated[Path | None, typer.Option(help="A recorded greeting WAV instead of the synthesized one")] = None,
    transfer_timeout: Annotated[float | None, typer.Option(help="Attendant: seconds from REFER to the final NOTIFY (default 30)")] = None,
) -> None:
    """Run the SIP gateway (PJSIP): places calls, plays prompts, reads DTMF, transfers (REFER),
    answers the switchboard number with a key menu (--attendant), reports CTI events."""
    import json
    import logging
    import signal

    from zongji.telephony.adapter import TelephonyUnavailable
    from zongji.telephony.control import ControlServer
    from zongji.telephony.cti_reporter import CtiReporter
    from zongji.telephony.sip_gateway import GatewayConfig, SipGateway

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    reporter = None
    if core_url:
        reporter = CtiReporter(core_url.rstrip("/") + "/api/cti/events", cti_token)
    config = GatewayConfig(bind_address=bind, sip_port=sip_port, rtp_port=rtp_port,
                           public_address=public_address, caller_id=caller_id, line=line,
                           registrar=registrar, username=username, password=password,
                           domain=domain, clock_rate=clock_rate, max_calls=max_calls,
                           log_level=log_level)
    the_attendant = None
    if attendant:
        from zongji.telephony.attendant import (Attendant, MenuError, load_menu_file, menu_from,
                                                parse_option)
        from zongji.telephony.prompts import PromptStore, PromptUnavailable

        try:
            settings = get_settings()
            the_menu = menu_from(
                load_menu_file(attendant_menu) if attendant_menu else None,
                [parse_option(m) for m in (menu or ())],
                number=attendant, operator_key=operator_key, hotel_zh=hotel_name,
                hotel_en=hotel_name_en, key_timeout=attendant_key_timeout,
                repeats=attendant_repeats, transfer_timeout=transfer_timeout,
                greeting_wav=str(attendant_greeting) if attendant_greeting else None)
            # Synthesized here, once: never on the SIP thread during a call.
            the_attendant = Attendant.prepare(
                the_menu, PromptStore(settings.data_dir, sample_rate=clock_rate), settings.tz)
        except (MenuError, OSError, ValueError, PromptUnavailable) as exc:
            typer.secho(f"error: attendant: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
    gateway = SipGateway(config, reporter, the_attendant)
    try:
        gateway.start()
    except TelephonyUnavailable as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(3)
    try:
        if registrar:
            if gateway.wait_registered(10):
                typer.echo(f"registered at {registrar} as {username}")
            else:
                typer.secho(f"warning: not registered at {registrar}: {gateway.registration}",
                            fg=typer.colors.YELLOW, err=True)
        if call:
            if say_time and not prompt:
                import datetime as dt

                from zongji.domain.wakeups import parse_wake_time
                from zongji.telephony.prompts import PromptStore

                t = parse_wake_time(say_time)
                prompt = str(PromptStore(get_settings().data_dir, sample_rate=clock_rate)
                             .wakeup_prompt(dt.time(t.hour, t.minute)))
            result = gateway.place_call(call, prompt, ("1",), ring_timeout)
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
            return
        # The call ledger dials a call id once and queues calls beyond the lines PJSIP really
        # carries, earliest-due first (wake-ups); PJSUA_BUILD_MAX_CALLS caps max_calls.
        from zongji.telephony.sip_gateway import PJSUA_BUILD_MAX_CALLS

        if max_calls > PJSUA_BUILD_MAX_CALLS:
            typer.secho(f"warning: --max-calls {max_calls}: one PJSIP process of this pjsua2 build "
                        f"carries {PJSUA_BUILD_MAX_CALLS} calls; the rest wait. For more lines run "
                        "more `zongji sip` processes (other --control-port / --sip-port) and list "
                        "them comma-separated in ZONGJI_WAKEUP_GATEWAY_URL",
                        fg=typer.colors.YELLOW, err=True)
        control = ControlServer(gateway, "127.0.0.1", control_port, control_token,
                                lines=min(max_calls, PJSUA_BUILD_MAX_CALLS))

        def _term(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _term)
        typer.echo(f"SIP gateway on udp:{bind}:{gateway.local_port}, "
                   f"commands on http://127.0.0.1:{control.port}")
        if the_attendant is not None:
            m = the_attendant.menu
            typer.echo(f"attendant answers {m.number}: " + ", ".join(
                f"{o.key} → {o.target}" for o in m.options))
        try:
            control.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            control.httpd.server_close()
    finally:
        gateway.stop()


@app.command("fias")
def fias(
    mode: Annotated[str | None, typer.Option(help="client: connect to the PMS; server: the PMS connects (default ZONGJI_FIAS_MODE)")] = None,
    host: Annotated[str | None, typer.Option(help="PMS address (client) or address to listen on (server)")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (server: 0 for any free port)")] = None,
) -> None:
    """Run the hotel PMS link over FIAS (guests, stays, wake-ups, DND, message lamp; docs/fias.md).

    One process per hotel PMS. Stop it with Ctrl-C or SIGTERM: it ends the link with LE; a kill
    loses nothing (records are committed before they are read on, and the outbox is resent).
    """
    import asyncio
    import signal

    from zongji.bootstrap import bootstrap, shutdown
    from zongji.store.migrate import upgrade
    from zongji.worker.fias_link import FiasLink

    settings = get_settings()
    update = {k: v for k, v in (("fias_mode", mode), ("fias_host", host), ("fias_port", port)) if v is not None}
    if mode is not None and mode not in ("client", "server"):
        typer.secho("error: --mode takes client or server", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    settings = settings.model_copy(update=update)
    upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        link = FiasLink(runtime.session_factory, settings)
        task = asyncio.create_task(link.run(stop))
        if settings.fias_mode == "server":
            await link.listening.wait()
            typer.echo(f"FIAS link: listening on {settings.fias_host}:{link.port}", err=False)
        else:
            typer.echo(f"FIAS link: connecting to {settings.fias_host}:{settings.fias_port}")
        await task

    try:
        asyncio.run(main())
    finally:
        shutdown(runtime)

# --------------------------------------------------------------------------- retention (issue 18)

retention_app = typer.Typer(help="Retention: delete or anonymise expired records (R-S17).", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run() -> None:
    """Run the retention policy now (the daily job does the same at ZONGJI_RETENTION_RUN_TIME): expired feed rows,
    CTI events and audit entries deleted, expired calls and closed work orders anonymised, in batches."""
    from zongji.services import retention
    from zongji.services.retention import runs
    from zongji.store.db import transaction
    from zongji.store.models import utcnow

    settings = get_settings()
    factory = _session_factory(settings)
    key = retention.run(factory, settings, utcnow())
    with transaction(factory) as s:
        for r in reversed([r for r in runs.list_runs(s, limit=20) if r["run"] == key]):
            typer.echo(f"{r['kind']}: {r['rows']} {r['action']}d (before {r['cutoff']}, {r['batches']} batches)")


if __name__ == "__main__":  # pragma: no cover
    app()
