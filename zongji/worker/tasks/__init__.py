"""Job handlers. Each module here registers its handlers with ``zongji.worker.registry.handler``."""
