"""The demo: data to click through, and a stand-in for an outside service. It uses the services;
no service imports it.

* ``data`` — the demo organisations (hotel, 12345 hotline, 400 hotline), directory, guests, users
  and integration tokens: ``load_demo`` (idempotent) and the names and numbers tests rely on;
* ``switchboard`` — switchboard demo data (a guest on DND, line settings, facilities, rates);
* ``work_orders`` — the 12345 category tree, unit handler logins and orders in various states;
* ``call_history`` — weeks of past calls for the wallboard and reports (``zongji demo``, new database);
* ``simulator`` — the demo's call mix for the CTI simulator (``zongji simulate calls``);
* ``sms_gateway_double`` — an SMS gateway following the contract in docs/notifications.md, for
  trying SMS locally (``python -m zongji.demo.sms_gateway_double``) and for the tests.
"""
