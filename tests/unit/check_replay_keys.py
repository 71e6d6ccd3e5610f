#!/usr/bin/env python3
"""Every top-level field the experiment record's schema names is one that
`vrctl bench --replay` knows (vrctl/replay.c, replay_record_keys): a field
added to the record but not there makes replay call a record of this very
version "newer" and list the field as ignored.  Usage: check_replay_keys.py
SOURCE_DIR."""
import json
import re
import sys

root = sys.argv[1]
schema = json.load(open(root + "/docs/schemas/experiment.schema.json"))
src = open(root + "/vrctl/replay.c").read()
m = re.search(r"replay_record_keys\[\] = \{(.*?)NULL", src, re.S)
if m is None:
    sys.exit("vrctl/replay.c: replay_record_keys not found")
known = set(re.findall(r'"([A-Za-z_0-9]+)"', m.group(1)))
missing = sorted(set(schema.get("properties", {})) - known)
if missing:
    sys.exit("fields of docs/schemas/experiment.schema.json that vrctl "
             "replay does not know (add them to replay_record_keys): "
             + ", ".join(missing))
print("replay knows all %d fields of the schema" % len(schema["properties"]))
