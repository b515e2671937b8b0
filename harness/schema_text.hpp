// The scenario JSON Schema (draft 7), compiled in from scenarios/faultline.schema.json.
#pragma once

namespace faultline::harness {
const char* scenario_schema_text();
}
