"""The key of the numbers' stand-ins: ``retention_hmac_secret`` if set, otherwise a random key
created once in ``data_dir/retention.key`` (kept with the data folder, so a restored backup
anonymises the same numbers to the same stand-ins). Without the key a stand-in cannot be traced
back to a number."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from zongji.settings import Settings

KEY_FILE = "retention.key"


def anonymisation_key(settings: Settings) -> bytes:
    if settings.retention_hmac_secret:
        return settings.retention_hmac_secret.encode("utf-8")
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # exclusive create: two processes starting at once keep one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: restore it from the backup or set ZONGJI_RETENTION_HMAC_SECRET")
    return key.encode("utf-8")
