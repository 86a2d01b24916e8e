"""Files attached to an order, stored under the data directory."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.work_orders.state import TimelineEntry
from zongji.errors import NotFound
from zongji.services import audit
from zongji.services.work_orders.changes import add_event
from zongji.errors import Invalid
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.store.models import utcnow
from zongji.store.work_order_models import WorkOrderAttachment


def attachments_dir(data_dir: Path) -> Path:
    d = Path(data_dir) / "attachments"
    d.mkdir(parents=True, exist_ok=True)
    return d


def add_attachment(session: Session, viewer: Viewer, order_id: int, *, filename: str, content_type: str,
                   chunks: Iterable[bytes], data_dir: Path, max_bytes: int, max_count: int,
                   now: datetime | None = None) -> WorkOrderAttachment:
    now = now or utcnow()
    row = get_visible(session, viewer, order_id)
    count = session.scalar(select(func.count()).select_from(WorkOrderAttachment)
                           .where(WorkOrderAttachment.order_id == row.id)) or 0
    if count >= max_count:
        raise Invalid(f"at most {max_count} attachments per order", field="file")
    name = Path(filename or "file").name[:200] or "file"
    stored = uuid.uuid4().hex
    path = attachments_dir(data_dir) / stored
    h = hashlib.sha256()
    size = 0
    try:
        with path.open("wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid(f"the file is larger than {max_bytes // 1024} KiB", field="file", code="too_large")
                h.update(chunk)
                f.write(chunk)
        if size == 0:
            raise Invalid("the file is empty", field="file")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    att = WorkOrderAttachment(order_id=row.id, filename=name, stored_name=stored,
                              content_type=(content_type or "application/octet-stream")[:100], size=size,
                              sha256=h.hexdigest(), uploaded_by_id=viewer.user_id, uploaded_at=now)
    session.add(att)
    session.flush()
    st = row_state(row)
    add_event(session, row, TimelineEntry(now, "attach", viewer.role, viewer.user_id, viewer.unit_id, st.status,
                                          st.status, "", {"attachment_id": att.id, "filename": name, "size": size}),
              viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="attach", entity="work_order",
                 entity_id=row.id, detail={"filename": name, "size": size})
    return att


def get_attachment(session: Session, viewer: Viewer, order_id: int, attachment_id: int, data_dir: Path) -> tuple[WorkOrderAttachment, Path]:
    get_visible(session, viewer, order_id)
    att = session.get(WorkOrderAttachment, attachment_id)
    if att is None or att.order_id != order_id:
        raise NotFound("no such attachment", field="attachment_id")
    return att, attachments_dir(data_dir) / att.stored_name
