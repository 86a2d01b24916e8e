"""Mounts the console on the app: the static files and every area's page shells."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from zongji.web import (
    booking_pages,  # the booking hotline: bookings, their list and figures, templates (issue 17)
    catalogue_pages,  # the responsibility catalogue (issue 11)
    charges_pages,  # call charges, the missed-charges list, IDD/DDD statistics (issue 13)
    emergency_pages,  # the emergency board (issue 14)
    evaluation_pages,  # my reviews and the evaluation items (issue 11)
    fias_pages,  # the PMS link's status (issue 16)
    guest_file_pages,  # customer files and the surveys after stays (issue 13)
    guestsvc_pages,  # the guest-service centre and the attendants' page (issue 13)
    intake_pages,  # the intake queue of every channel (issue 15)
    public_pages,  # the citizens' web form and status page, no login (issue 15)
    retention_pages,  # the retention runs' report (issue 18)
    knowledge_pages,  # the knowledge base (issue 11)
    line_pages,  # published lines, faults, silence alerts (issue 3)
    outbound_pages,  # outbound call lists (issue 14)
    pages,  # login, console, call log, wake-ups
    room_board_pages,  # room board (issues 3 and 5)
    stats_pages,  # the live wallboard and reports (issue 10)
    switchboard_pages,  # handover log (issue 3)
    travel_pages,  # meeting and flight bookings (issue 17)
    work_order_pages,  # work orders (issue 4)
)
from zongji.web.shell import STATIC_DIR


def install(router: APIRouter) -> None:
    """The console on the app's router (``api.app.area_routes``)."""
    router.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for module in (pages, work_order_pages, switchboard_pages, room_board_pages, line_pages, stats_pages,
                   catalogue_pages, charges_pages, evaluation_pages, knowledge_pages, fias_pages, guest_file_pages, guestsvc_pages,
                   intake_pages, public_pages, emergency_pages, outbound_pages, retention_pages, booking_pages, travel_pages):
        router.routes.extend(module.router.routes)  # as they are (api.errors.area_router)
