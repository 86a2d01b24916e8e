"""A real IMAP server for the tests: Debian's dovecot, started on a free loopback port with its
own configuration, mail and passwords under a temporary directory, stopped afterwards."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    username: str
    password: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dovecot(username: str = "hotline", password: str = "mail-secret") -> Iterator[Imap]:
    # Its own folder, readable by the unprivileged user dovecot gives mail access (pytest's
    # tmp_path is private to the user running the tests).
    root = Path(tempfile.mkdtemp(prefix="zongji-dovecot-"))
    os.chmod(root, 0o755)
    try:
        with _running(root, username, password) as imap:
            yield imap
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _running(root: Path, username: str, password: str) -> Iterator[Imap]:
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # dovecot runs neither its login processes nor mail access as root
        nobody = pwd.getpwnam("nobody")
        login_user, mail_uid, mail_gid = "nobody", nobody.pw_uid, nobody.pw_gid
    else:
        login_user, mail_uid, mail_gid = pwd.getpwuid(uid).pw_name, uid, gid
    for d in ("run", "state", "mail", "home"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for d in ("mail", "home"):
        os.chmod(root / d, 0o1777)
    (root / "passwd").write_text(f"{username}:{{PLAIN}}{password}\n")
    port = _free_port()
    me = pwd.getpwuid(uid).pw_name
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {me}
default_internal_group = {grp.getgrgid(gid).gr_name}
first_valid_uid = {min(mail_uid, 500)}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
    # The master forks into the background: its output goes to a file, not a pipe the children
    # would keep open.
    with (root / "start.log").open("wb") as out:
        subprocess.run([DOVECOT, "-c", str(conf)], check=True, stdout=out, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=20)
    pid_file = root / "run" / "master.pid"
    deadline = time.monotonic() + 15
    while True:  # up once the master has written its pid and bound the port
        try:
            pid = int(pid_file.read_text().strip())
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except (OSError, ValueError):
            log = root / "dovecot.log"
            assert time.monotonic() < deadline, log.read_text() if log.exists() else "dovecot did not start"
            time.sleep(0.05)
    try:
        yield Imap("127.0.0.1", port, username, password)
    finally:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
