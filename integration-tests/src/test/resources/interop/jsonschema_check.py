#!/usr/bin/python3
"""Validates a JSON document with python-jsonschema (Debian python3-jsonschema), draft 7, formats checked.

  jsonschema_check.py SCHEMA < document.json
      checks the schema itself, then the document; prints "valid", or one line per error:
      "invalid <path>: <message>" (path as /-separated names and indexes). Exit status 0 unless the driver
      itself fails (unreadable files, a schema that is not valid draft 7).
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: jsonschema_check.py SCHEMA < document.json")
    with open(sys.argv[1], encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    jsonschema.Draft7Validator.check_schema(schema)
    document = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.draft7_format_checker)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    if not errors:
        print("valid")
    for error in errors:
        path = "/" + "/".join(str(part) for part in error.absolute_path)
        print("invalid", path + ":", error.message)


if __name__ == "__main__":
    main()
