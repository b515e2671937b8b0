#!/usr/bin/env python3
"""Checks scenario files against scenarios/faultline.schema.json with python-jsonschema (Draft 7),
as an editor or a CI linter would: prints "FILE: valid", "FILE: invalid: MESSAGE" or
"FILE: not JSON: MESSAGE" per file. JSON is parsed strictly (no NaN or Infinity literals).
Used by tests/test_schema_agreement.cpp."""
import json
import sys

import jsonschema


def strict_constant(name):
    raise ValueError("not JSON: " + name)


def main():
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    for path in files:
        try:
            with open(path, "rb") as f:
                document = json.loads(f.read().decode("utf-8"), parse_constant=strict_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            print(f"{path}: not JSON: {str(error).splitlines()[0][:120]}")
            continue
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is None:
            print(f"{path}: valid")
        else:
            print(f"{path}: invalid: {error.message[:160]}")


if __name__ == "__main__":
    main()
