"""Telephony: what the core asks of a phone system, and the phone system's side of it.

Never imports ``zongji.services``: the core (services, worker, CLI) calls telephony, not the
other way round.

The contract and its clients
- ``adapter``: the contract the core uses (place a call, transfer, message lamp, line lock),
  ``CallResult``, ``TelephonyUnavailable``, ``TransferRefused``.
- ``control``: the ``zongji sip`` process's loopback HTTP interface (``ControlServer``) and the
  core's clients of it (``HttpTelephonyClient``, ``GatewayPool``).
- ``call_ledger``: dials a call id once and queues calls beyond the lines, earliest-due first.
- ``causes``: SIP statuses and CTI causes explained in words.
- ``simulated_pbx``: the built-in simulated PBX for the switchboard's commands.
- ``simulator``: plays simulated calls into a running Zongji through its CTI endpoint.

The SIP gateway (``zongji sip``, PJSIP)
- ``sip_gateway``: ``SipGateway`` and ``GatewayConfig``: the PJSIP endpoint, its transport and
  account, the PJSIP thread; hands each callback to the piece that owns the call.
- ``sip_outbound``: calls the gateway places (wake-up calls): prompt, key, outcome, CTI events.
- ``sip_transfers``: blind transfer (REFER) of an answered call and its NOTIFY progress.
- ``sip_attendant``: incoming calls to the switchboard number, run through the attendant's menu.
- ``sip_stack``: the pjsua2 objects the pieces share, and PJSIP's callbacks (pjsua2 loaded lazily).
- ``sip_uri``: the number in a SIP URI, a URI for a bare extension.
- ``cti_reporter``: the CTI events the gateway reports and their delivery to the core.
- ``attendant``: the attendant's menu, its file format, prompts and decision machine (no SIP).
- ``prompts``: synthesized (espeak-ng) and uploaded prompt WAVs.
"""
