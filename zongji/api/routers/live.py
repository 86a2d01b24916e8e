"""Placeholder: being written."""

from contextlib import asynccontextmanager

from fastapi import APIRouter

router = APIRouter()


@asynccontextmanager
async def running(app):
    yield
