#!/usr/bin/python3
"""A recording org.freedesktop.Notifications server (Desktop Notifications spec 1.2) for tests.

Run on a private session bus (notification-bus.ts starts it under dbus-run-session). Every
Notify and CloseNotification call becomes one JSON line on stdout and in --log, with the
hints' D-Bus types, so a test sees exactly what libnotify put on the bus. Notify returns
increasing ids; a replaces_id naming an open notification keeps its id (the spec's
"replace atomically"). It quits when stdin closes or on SIGTERM, and dbus-run-session then
ends the bus.

A test drives it through stdin, one JSON object a line: {"emit": "ActionInvoked", "id": 3,
"key": "read"} or {"emit": "NotificationClosed", "id": 3, "reason": 2} emits that signal as
a user's click would; with "foreign": true it comes from another connection on the bus (as
any app may emit it). Each emission is recorded ({"call": "emitted", ...}) once sent.

Needs Debian's python3-dbus and python3-gi (hence /usr/bin/python3, not a pyenv one).
"""
import argparse
import json
import os
import signal
import sys
import xml.etree.ElementTree as ElementTree

import dbus
import dbus.bus
import dbus.lowlevel
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = 'org.freedesktop.Notifications'
PATH = '/org/freedesktop/Notifications'

# GNOME Shell 43's GetCapabilities (js/ui/notificationDaemon.js), the default here.
GNOME_CAPABILITIES = 'actions,body,body-markup,icon-static,persistence,sound'

# dbus-python unpacks a variant into a typed value: its class tells the D-Bus type.
TYPE_CODES = [
    (dbus.Boolean, 'b'),
    (dbus.Byte, 'y'),
    (dbus.Int16, 'n'),
    (dbus.UInt16, 'q'),
    (dbus.Int32, 'i'),
    (dbus.UInt32, 'u'),
    (dbus.Int64, 'x'),
    (dbus.UInt64, 't'),
    (dbus.Double, 'd'),
    (dbus.ObjectPath, 'o'),
    (dbus.Signature, 'g'),
    (dbus.String, 's'),
    (dbus.Struct, 'r'),
    (dbus.Dictionary, 'a{}'),
    (dbus.Array, 'a'),
]


def type_code(value):
    for cls, code in TYPE_CODES:
        if isinstance(value, cls):
            return code
    return type(value).__name__


def to_json(value):
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        return [to_json(v) for v in value]
    return repr(value)


def read_markup(body):
    """The body as a markup server reads it: its text and elements, or why it is not markup.

    Pango's markup is XML (GMarkup) with a few elements: an XML parser gives the same text.
    """
    try:
        root = ElementTree.fromstring('<markup>' + body + '</markup>')
    except ElementTree.ParseError as error:
        return {'error': str(error)}
    return {'text': ''.join(root.itertext()), 'elements': [e.tag for e in root.iter()][1:]}


class Recorder:
    def __init__(self, log_path):
        self.log = open(log_path, 'a', encoding='utf-8') if log_path else None

    def write(self, record):
        line = json.dumps(record, ensure_ascii=False)
        if self.log:
            self.log.write(line + '\n')
            self.log.flush()
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


class NotificationServer(dbus.service.Object):
    def __init__(self, bus, recorder, capabilities):
        super().__init__(bus, PATH)
        self.bus = bus
        self.foreign = None
        self.recorder = recorder
        self.capabilities = capabilities
        self.next_id = 1
        self.open = set()

    @dbus.service.method(NAME, in_signature='', out_signature='as')
    def GetCapabilities(self):
        return self.capabilities

    @dbus.service.method(NAME, in_signature='', out_signature='ssss')
    def GetServerInformation(self):
        return ('tidings-test-notification-server', 'Tidings tests', '1.0', '1.2')

    @dbus.service.method(NAME, in_signature='susssasa{sv}i', out_signature='u')
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        replaced = int(replaces_id) in self.open
        if replaced:
            notification_id = int(replaces_id)
        else:
            notification_id = self.next_id
            self.next_id += 1
            self.open.add(notification_id)
        record = {
            'call': 'Notify',
            'id': notification_id,
            'replaced': replaced,
            'app_name': str(app_name),
            'replaces_id': int(replaces_id),
            'app_icon': str(app_icon),
            'summary': str(summary),
            'body': str(body),
            'actions': [str(a) for a in actions],
            'hints': {str(k): to_json(v) for k, v in hints.items()},
            'hint_types': {str(k): type_code(v) for k, v in hints.items()},
            'expire_timeout': int(expire_timeout),
        }
        if 'body-markup' in self.capabilities:
            record['body_markup'] = read_markup(str(body))
        self.recorder.write(record)
        return dbus.UInt32(notification_id)

    @dbus.service.method(NAME, in_signature='u', out_signature='')
    def CloseNotification(self, notification_id):
        notification_id = int(notification_id)
        was_open = notification_id in self.open
        self.open.discard(notification_id)
        self.recorder.write({'call': 'CloseNotification', 'id': notification_id, 'was_open': was_open})
        if was_open:
            # Reason 3: closed by a call to CloseNotification.
            self.NotificationClosed(dbus.UInt32(notification_id), dbus.UInt32(3))

    @dbus.service.signal(NAME, signature='uu')
    def NotificationClosed(self, notification_id, reason):
        pass

    @dbus.service.signal(NAME, signature='us')
    def ActionInvoked(self, notification_id, action_key):
        pass

    def emit(self, command):
        """Emits the signal a test asked for, from this server or from a foreign connection."""
        member = command['emit']
        notification_id = dbus.UInt32(command['id'])
        if member == 'ActionInvoked':
            args, signature = (notification_id, dbus.String(command['key'])), 'us'
        elif member == 'NotificationClosed':
            args, signature = (notification_id, dbus.UInt32(command.get('reason', 2))), 'uu'
            if not command.get('foreign'):
                self.open.discard(int(notification_id))
        else:
            raise ValueError('unknown signal ' + member)
        if command.get('foreign'):
            if self.foreign is None:
                self.foreign = dbus.bus.BusConnection(os.environ['DBUS_SESSION_BUS_ADDRESS'])
            message = dbus.lowlevel.SignalMessage(PATH, NAME, member)
            message.append(*args, signature=signature)
            self.foreign.send_message(message)
            self.foreign.flush()
            sender = self.foreign.get_unique_name()
        else:
            getattr(self, member)(*args)
            self.bus.flush()
            sender = self.bus.get_unique_name()
        self.recorder.write(dict(command, call='emitted', sender=sender))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--log', help='also append each record to this file')
    parser.add_argument('--capabilities', default=GNOME_CAPABILITIES,
                        help='comma-separated GetCapabilities answer')
    args = parser.parse_args()
    capabilities = [c for c in args.capabilities.split(',') if c]

    DBusGMainLoop(set_as_default=True)
    loop = GLib.MainLoop()
    bus = dbus.SessionBus()
    recorder = Recorder(args.log)
    server = NotificationServer(bus, recorder, capabilities)
    # do_not_queue: another server already owning the name fails here, not silently later.
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)

    pending = [b'']

    def on_stdin(fd, _condition):
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b''
        if not data:
            loop.quit()
            return False
        lines = (pending[0] + data).split(b'\n')
        pending[0] = lines.pop()
        for line in lines:
            if line.strip():
                server.emit(json.loads(line))
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, lambda: loop.quit() or False)
    recorder.write({
        'call': 'ready',
        'address': os.environ.get('DBUS_SESSION_BUS_ADDRESS', ''),
        'owner': bus.get_name_owner(NAME),
        'capabilities': capabilities,
    })
    loop.run()
    # At once, without finalizers: BusName's would ask a bus that may be going away already.
    sys.stdout.flush()
    os._exit(0)


if __name__ == '__main__':
    main()
