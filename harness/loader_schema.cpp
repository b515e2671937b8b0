// Checks a scenario against the JSON Schema (valijson, draft 7) and turns each violation into
// an InputError that says, at the offending value, what was expected there.
//
// valijson decides whether the document is valid and where the problems are, but its messages
// name schema keywords ("Failed to match regex specified by 'pattern' constraint"). So for each
// place valijson points at, this file walks the schema itself to that place and says what the
// schema expects, using the schema's `title`s (noun phrases such as "a duration like "250ms"")
// or a description built from the keywords ("an integer >= 1").

// GCC 12 warns falsely inside libstdc++ as valijson's headers instantiate it: -Wrestrict in
// std::string::replace (GCC bug 105329, from valijson's json_pointer at -O2 and above) and
// -Wmaybe-uninitialized in std::regex's std::function (under the sanitizers). A pragma only
// covers headers included after it, so these come before every include of this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "harness/interrupt.hpp"
#include "harness/loader.hpp"
#include "harness/schema_text.hpp"

namespace faultline::harness {
namespace {

using Json = nlohmann::json;
using Doc = nlohmann::ordered_json;
using Tokens = std::vector<std::string>;

// libstdc++'s std::regex recurses once per character matched, so a pattern run over a very long
// string overflows the stack. Every string the schema constrains with a pattern also has a
// maxLength far below this, so the copy handed to valijson shortens longer strings to this
// many characters plus one: they still fail their maxLength, and no pattern ever sees them
// whole. Lengths are in characters (code points), so the cut is too: cutting at a byte count
// would let 201 four-byte emoji pass a maxLength of 200.
constexpr std::size_t kLongestCheckedString = 256;

std::string shorten(const std::string& text) {
  if (text.size() <= kLongestCheckedString) return text;  // fewer bytes, so fewer characters
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++characters > kLongestCheckedString + 1) return text.substr(0, at);
  }
  return text;
}

// valijson's adapter reads nlohmann::json; the source keeps nlohmann::ordered_json. With
// `max_items`, arrays are cut to that many items, and the place of every cut array is added to
// `cut` (see schema_errors: bad input stays cheap).
Json to_validated_copy(const Doc& value, std::size_t max_items = SIZE_MAX, std::vector<std::string>* at = nullptr,
                       std::vector<std::vector<std::string>>* cut = nullptr) {
  switch (value.type()) {
    case Doc::value_t::object: {
      Json out = Json::object();
      for (const auto& [key, member] : value.items()) {
        if (at != nullptr) at->push_back(key);
        out[key] = to_validated_copy(member, max_items, at, cut);
        if (at != nullptr) at->pop_back();
      }
      return out;
    }
    case Doc::value_t::array: {
      Json out = Json::array();
      const std::size_t kept = std::min(value.size(), max_items);
      for (std::size_t i = 0; i < kept; ++i) {
        if (at != nullptr) at->push_back(std::to_string(i));
        out.push_back(to_validated_copy(value[i], max_items, at, cut));
        if (at != nullptr) at->pop_back();
      }
      if (kept < value.size() && cut != nullptr && at != nullptr) cut->push_back(*at);
      return out;
    }
    case Doc::value_t::string: return shorten(value.get_ref<const std::string&>());
    case Doc::value_t::boolean: return value.get<bool>();
    case Doc::value_t::number_integer: return value.get<std::int64_t>();
    case Doc::value_t::number_unsigned: return value.get<std::uint64_t>();
    case Doc::value_t::number_float: return value.get<double>();
    default: return nullptr;
  }
}

// Removes every uniqueItems from a schema. valijson compares each pair of items (and copies
// strings to do so): 300,000 zones in a 3 MB file kept it busy for minutes. The loader checks
// the same rule in linear time and says it better ("duplicate zone name ... first defined at"),
// so valijson is not asked to.
void drop_unique_items(Json& schema) {
  if (schema.is_object()) {
    schema.erase("uniqueItems");
    for (auto& [key, value] : schema.items()) drop_unique_items(value);
  } else if (schema.is_array()) {
    for (auto& value : schema) drop_unique_items(value);
  }
}

// A schema, parsed once: for valijson, and in its own key order for the explanations.
struct CompiledSchema {
  const char* text;
  Json unordered;  // kept alive: valijson's parsed schema may refer into it
  valijson::Schema schema;
  explicit CompiledSchema(const char* schema_text) : text(schema_text), unordered(Json::parse(schema_text)) {
    drop_unique_items(unordered);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(unordered);
    parser.populateSchema(adapter, schema);
  }
  // The schema with its members in written order, which the explanations of errors walk: parsed
  // the first time an input has errors (valid input never needs it; parsing the scenario schema
  // is about a seventh of a small run's fixed cost).
  const Doc& ordered() const {
    std::call_once(ordered_once_, [this] { ordered_ = Doc::parse(text); });
    return ordered_;
  }

 private:
  mutable std::once_flag ordered_once_;
  mutable Doc ordered_;
};

// The schemas are compiled-in texts (the scenario's, the live binding's), each parsed the first
// time it is used and kept for the process, keyed by the text's address.
const CompiledSchema& compiled_schema(const char* text) {
  static std::mutex mutex;
  static std::map<const char*, std::unique_ptr<const CompiledSchema>> compiled;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = compiled[text];
  if (!slot) slot = std::make_unique<const CompiledSchema>(text);
  return *slot;
}

std::string pointer_of(const Tokens& tokens) {
  std::string pointer;
  for (const std::string& token : tokens) {
    pointer += '/';
    pointer += pointer_token(token);
  }
  return pointer;
}

std::size_t utf8_length(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// How a value is shown in a message: as JSON, short, never the whole of a long string, and cut
// only between two UTF-8 characters.
std::string shown(const Doc& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  std::string text = value.dump(-1, ' ', false, Doc::error_handler_t::replace);
  if (text.size() <= 48) return text;
  std::size_t end = 44;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + (value.is_string() ? "...\"" : "...");
}

struct Problem {
  Tokens tokens;
  std::string message;
};

// Walks the schema alongside the document. Only the keywords this project's schema uses are
// understood: $ref to definitions, type, enum, pattern, lengths, ranges, items, properties,
// required, additionalProperties: false, property counts, oneOf and anyOf.
class Explainer {
 public:
  explicit Explainer(const Doc& schema) : root_(schema) {}

  // The problems of the value at `tokens` itself (not of its members).
  // Problems beyond this many at one place are not built (bad input stays cheap).
  std::size_t max_problems = SIZE_MAX;

  std::vector<Problem> explain(const Doc& document, const Tokens& tokens) {
    const Doc* schema = &root_;
    const Doc* value = &document;
    for (const std::string& token : tokens) {
      std::string unused_title;
      schema = select(schema, *value, unused_title);
      if (schema == nullptr) return {};
      if (value->is_object()) {
        const auto member = value->find(token);
        if (member == value->end()) return {};
        schema = property_schema(*schema, token);
        value = &*member;
      } else if (value->is_array()) {
        const std::size_t index = std::stoul(token);
        if (index >= value->size() || !schema->contains("items") || !(*schema)["items"].is_object()) {
          return {};
        }
        schema = &(*schema)["items"];
        value = &(*value)[index];
      } else {
        return {};
      }
      if (schema == nullptr) return {};
    }
    std::vector<Problem> problems;
    check_node(*schema, *value, tokens, problems);
    return problems;
  }

 private:
  // Through $ref, and through a wrapper {"description", "default", "allOf": [{"$ref"}, ...]} that
  // exists so editors show a property's own description beside a shared definition.
  const Doc& resolve(const Doc& schema) const {
    const Doc* at = &schema;
    for (;;) {
      if (!at->is_object()) return *at;
      if (at->contains("$ref")) {
        const std::string ref = (*at)["$ref"].get<std::string>();
        const std::string prefix = "#/definitions/";
        at = &root_["definitions"][ref.substr(prefix.size())];
      } else if (is_wrapper(*at)) {
        at = &(*at)["allOf"][0];
      } else {
        return *at;
      }
    }
  }

  static bool is_wrapper(const Doc& schema) {
    if (!schema.contains("allOf") || !schema["allOf"].is_array() || schema["allOf"].empty()) return false;
    for (const char* own : {"type", "properties", "oneOf", "anyOf", "enum", "pattern"}) {
      if (schema.contains(own)) return false;
    }
    return schema["allOf"][0].is_object() && schema["allOf"][0].contains("$ref");
  }

  // Extension keys ("x-..."), which the schema allows on objects through patternProperties.
  static bool is_extension(const Doc& schema, const std::string& key) {
    return schema.contains("patternProperties") && schema["patternProperties"].contains("^x-") && key.rfind("x-", 0) == 0;
  }

  static const Doc* union_branches(const Doc& schema) {
    if (schema.contains("oneOf")) return &schema["oneOf"];
    if (schema.contains("anyOf")) return &schema["anyOf"];
    return nullptr;
  }

  static bool type_name_matches(const std::string& type, const Doc& value) {
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    if (type == "string") return value.is_string();
    if (type == "boolean") return value.is_boolean();
    if (type == "null") return value.is_null();
    if (type == "number") return value.is_number();
    if (type == "integer") return value.is_number_integer();
    return false;
  }

  bool type_matches(const Doc& raw_schema, const Doc& value) const {
    const Doc& schema = resolve(raw_schema);
    if (const Doc* branches = union_branches(schema)) {
      return std::any_of(branches->begin(), branches->end(),
                         [&](const Doc& branch) { return type_matches(branch, value); });
    }
    if (!schema.contains("type")) return true;
    const Doc& type = schema["type"];
    if (type.is_string()) return type_name_matches(type.get<std::string>(), value);
    return std::any_of(type.begin(), type.end(),
                       [&](const Doc& name) { return type_name_matches(name.get<std::string>(), value); });
  }

  bool knows_key(const Doc& raw_schema, const std::string& key) const {
    const Doc& schema = resolve(raw_schema);
    return schema.contains("properties") && schema["properties"].contains(key);
  }

  // The schema that applies to `value`: through $ref, and into the union branch meant for it:
  // the first branch of the value's type, and among objects the first that knows one of the
  // value's keys. Null when no branch takes a value of this type. `title` receives the title
  // of the innermost union passed through, for branches without a title of their own.
  const Doc* select(const Doc* raw_schema, const Doc& value, std::string& title) const {
    const Doc* schema = &resolve(*raw_schema);
    while (const Doc* branches = union_branches(*schema)) {
      if (schema->contains("title")) title = (*schema)["title"].get<std::string>();
      std::vector<const Doc*> candidates;
      for (const Doc& branch : *branches) {
        if (type_matches(branch, value)) candidates.push_back(&branch);
      }
      if (candidates.empty()) return nullptr;
      const Doc* chosen = candidates.front();
      if (value.is_object() && candidates.size() > 1) {
        bool found = false;
        for (const auto& [key, member] : value.items()) {
          for (const Doc* candidate : candidates) {
            if (knows_key(*candidate, key)) {
              chosen = candidate;
              found = true;
              break;
            }
          }
          if (found) break;
        }
      }
      schema = &resolve(*chosen);
    }
    return schema;
  }

  static const Doc* property_schema(const Doc& schema, const std::string& key) {
    if (schema.contains("properties") && schema["properties"].contains(key)) {
      return &schema["properties"][key];
    }
    if (is_extension(schema, key)) return &schema["patternProperties"]["^x-"];
    if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
      return &schema["additionalProperties"];
    }
    return nullptr;
  }

  static std::string range_text(const Doc& schema) {
    const auto number_text = [](const Doc& n) { return n.dump(); };
    const bool has_min = schema.contains("minimum");
    const bool has_max = schema.contains("maximum");
    if (has_min && has_max) {
      return " from " + number_text(schema["minimum"]) + " to " + number_text(schema["maximum"]);
    }
    std::string text;
    if (has_min) text += " >= " + number_text(schema["minimum"]);
    if (schema.contains("exclusiveMinimum")) text += " > " + number_text(schema["exclusiveMinimum"]);
    if (has_max) text += (text.empty() ? " <= " : " and <= ") + number_text(schema["maximum"]);
    return text;
  }

  // What the schema asks for, as a noun phrase: its title, or one built from its keywords.
  static std::string describe(const Doc& schema, const std::string& fallback_title) {
    if (schema.contains("title")) return schema["title"].get<std::string>();
    if (!fallback_title.empty()) return fallback_title;
    if (schema.contains("enum")) {
      std::vector<std::string> names;
      for (const Doc& item : schema["enum"]) names.push_back(item.is_string() ? item.get<std::string>() : item.dump());
      return "one of: " + join(names);
    }
    const std::string type = schema.contains("type") && schema["type"].is_string() ? schema["type"].get<std::string>() : "";
    if (type == "integer") return "an integer" + range_text(schema);
    if (type == "number") return "a number" + range_text(schema);
    if (type == "boolean") return "true or false";
    if (type == "string") {
      if (schema.contains("minLength") && schema.contains("maxLength")) {
        return "a string of " + schema["minLength"].dump() + " to " + schema["maxLength"].dump() + " characters";
      }
      return "a string";
    }
    if (type == "array") {
      const auto items = [](std::int64_t count) { return std::to_string(count) + (count == 1 ? " item" : " items"); };
      const std::int64_t least = schema.contains("minItems") ? schema["minItems"].get<std::int64_t>() : 0;
      if (schema.contains("maxItems") && !schema.contains("x-limit-flag")) {
        const std::int64_t most = schema["maxItems"].get<std::int64_t>();
        if (least > 0) return "an array of " + std::to_string(least) + " to " + items(most);
        return "an array of at most " + items(most);
      }
      if (least > 0) return "an array of at least " + items(least);
      return "an array";
    }
    if (type == "object") {
      if (schema.value("minProperties", 0) == 1 && schema.value("maxProperties", 0) == 1) {
        std::vector<std::string> keys;
        for (const auto& [key, unused] : schema["properties"].items()) keys.push_back(key);
        return "an object with exactly one of the keys: " + join(keys);
      }
      return "an object";
    }
    if (schema.contains("type") && schema["type"].is_array()) {
      std::vector<std::string> names;
      for (const Doc& name : schema["type"]) names.push_back(name.get<std::string>());
      return "a value of type " + join(names);
    }
    return "a valid value";
  }

  bool pattern_matches(const std::string& pattern, const std::string& text) {
    auto cached = regexes_.find(pattern);
    if (cached == regexes_.end()) cached = regexes_.emplace(pattern, std::regex(pattern)).first;
    return std::regex_search(text, cached->second);
  }

  bool scalar_fits(const Doc& schema, const Doc& value) {
    if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      const std::size_t length = utf8_length(text);
      if (schema.contains("minLength") && length < schema["minLength"].get<std::size_t>()) return false;
      if (schema.contains("maxLength") && length > schema["maxLength"].get<std::size_t>()) return false;
      // A string too long for std::regex is reported rather than matched (see shorten()).
      if (schema.contains("pattern")) {
        if (text.size() > kLongestCheckedString) return false;
        if (!pattern_matches(schema["pattern"].get<std::string>(), text)) return false;
      }
    }
    // A maximum marked "x-limit-flag" is one of the loader's limits: the loader reports it as a
    // limit (exit 4) that its flag can raise, so it is not explained here.
    const bool limit = schema.contains("x-limit-flag");
    if (value.is_number()) {
      const double number = value.get<double>();
      if (schema.contains("minimum") && number < schema["minimum"].get<double>()) return false;
      if (!limit && schema.contains("maximum") && number > schema["maximum"].get<double>()) return false;
      if (schema.contains("exclusiveMinimum") && number <= schema["exclusiveMinimum"].get<double>()) return false;
      // Integers beyond 2^53 lose precision as doubles; compare them exactly.
      if (!limit && value.is_number_unsigned() && schema.contains("maximum") && schema["maximum"].is_number_integer() &&
          value.get<std::uint64_t>() > schema["maximum"].get<std::uint64_t>()) {
        return false;
      }
    }
    if (schema.contains("enum")) {
      const Doc& options = schema["enum"];
      if (std::find(options.begin(), options.end(), value) == options.end()) return false;
    }
    return true;
  }

  void check_object(const Doc& schema, const Doc& value, const Tokens& tokens, std::vector<Problem>& problems) {
    if (schema.contains("required")) {
      for (const Doc& key : schema["required"]) {
        if (!value.contains(key.get<std::string>())) {
          problems.push_back({tokens, "missing required key \"" + key.get<std::string>() + "\""});
        }
      }
    }
    if (schema.contains("additionalProperties") && schema["additionalProperties"] == false) {
      std::vector<std::string> known;
      if (schema.contains("properties")) {
        for (const auto& [key, unused] : schema["properties"].items()) known.push_back(key);
      }
      for (const auto& [key, member] : value.items()) {
        if (problems.size() >= max_problems) break;  // an object of a million unknown keys
        if (std::find(known.begin(), known.end(), key) != known.end() || is_extension(schema, key)) continue;
        Tokens at = tokens;
        at.push_back(key);
        problems.push_back({at, unknown_key_message(key, known)});
      }
    }
    const std::size_t size = value.size();
    if ((schema.contains("minProperties") && size < schema["minProperties"].get<std::size_t>()) ||
        (schema.contains("maxProperties") && size > schema["maxProperties"].get<std::size_t>())) {
      problems.push_back({tokens, "expected " + describe(schema, "")});
    }
  }

  static std::string unknown_key_message(const std::string& key, const std::vector<std::string>& known) {
    std::string message = "unknown key " + shown(Doc(key));
    // Suggest a key only when it is plausibly a typo: one edit away, two for longer keys.
    const std::string* closest = nullptr;
    std::size_t best = key.size() >= 6 ? 3 : 2;
    for (const std::string& candidate : known) {
      const std::size_t distance = edit_distance(key, candidate);
      if (distance < best) {
        best = distance;
        closest = &candidate;
      }
    }
    if (closest != nullptr) return message + " (did you mean \"" + *closest + "\"?)";
    if (known.empty()) return message + "; this object takes no keys";
    return message + "; the keys allowed here are: " + join(known);
  }

  void check_array(const Doc& schema, const Doc& value, const Tokens& tokens, const std::string& title,
                   std::vector<Problem>& problems) {
    const std::size_t size = value.size();
    const bool limit = schema.contains("x-limit-flag");  // the loader's limit, see scalar_fits
    if ((schema.contains("minItems") && size < schema["minItems"].get<std::size_t>()) ||
        (!limit && schema.contains("maxItems") && size > schema["maxItems"].get<std::size_t>())) {
      problems.push_back({tokens, "expected " + describe(schema, title) + ", got " + std::to_string(size) +
                                      (size == 1 ? " item" : " items")});
    }
  }

  void check_node(const Doc& raw_schema, const Doc& value, const Tokens& tokens, std::vector<Problem>& problems) {
    std::string union_title;
    const Doc* selected = select(&raw_schema, value, union_title);
    if (selected == nullptr) {
      problems.push_back({tokens, "expected " + describe(resolve(raw_schema), "") + ", got " + shown(value)});
      return;
    }
    const Doc& schema = *selected;
    if (!type_matches(schema, value) || !scalar_fits(schema, value)) {
      // The duration pattern has no sign; say what is wrong with "-1s" in plain words.
      if (value.is_string() && schema.contains("pattern") && value.get_ref<const std::string&>().rfind('-', 0) == 0 &&
          &schema == &resolve(root_["definitions"]["duration"])) {
        problems.push_back({tokens, "expected a duration >= 0, got " + shown(value) + " (durations are never negative)"});
        return;
      }
      problems.push_back({tokens, "expected " + describe(schema, union_title) + ", got " + shown(value)});
      return;
    }
    if (value.is_object()) check_object(schema, value, tokens, problems);
    if (value.is_array()) check_array(schema, value, tokens, union_title, problems);
  }

  const Doc& root_;
  std::map<std::string, std::regex> regexes_;
};

// valijson names a place as {"<root>", "[services]", "[0]", ...}.
Tokens tokens_of(const std::vector<std::string>& context) {
  Tokens tokens;
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& part = context[i];
    tokens.push_back(part.size() >= 2 ? part.substr(1, part.size() - 2) : part);
  }
  return tokens;
}

// `missing required key "version"` beside `unknown key "versoin" (did you mean "version"?)` in
// the same object says one thing twice, and less well: the typo is the problem, so only its
// message is kept.
void drop_missing_keys_explained_by_typos(std::vector<InputError>& errors) {
  const std::string missing = "missing required key \"";
  std::set<std::pair<std::string, std::string>> suggested;  // (object pointer, key suggested)
  for (const InputError& e : errors) {
    const auto hint = e.message.find("(did you mean \"");
    const auto slash = e.pointer.rfind('/');
    if (hint == std::string::npos || slash == std::string::npos || e.message.rfind("unknown key ", 0) != 0) continue;
    const std::size_t start = hint + 15;
    suggested.insert({e.pointer.substr(0, slash), e.message.substr(start, e.message.find('"', start) - start)});
  }
  if (suggested.empty()) return;
  std::erase_if(errors, [&](const InputError& e) {
    if (e.message.rfind(missing, 0) != 0) return false;
    const std::size_t start = missing.size();
    return suggested.count({e.pointer, e.message.substr(start, e.message.find('"', start) - start)}) > 0;
  });
}

}  // namespace

std::vector<InputError> schema_errors(const JsonSource& source, std::size_t max_errors) {
  return schema_errors(source, scenario_schema_text(), max_errors);
}

std::vector<InputError> schema_errors(const JsonSource& source, const char* schema_text, std::size_t max_errors) {
  const CompiledSchema& compiled = compiled_schema(schema_text);
  // valijson's validator caches the std::regex of each pattern; compiling them is most of the
  // cost of checking a small file, so each thread keeps one validator (and explainer).
  thread_local valijson::Validator validator;
  // Bad input stays cheap: valijson keeps every error it finds, with its whole context, so a
  // file of 1.5 million wrong items would cost gigabytes before the first message. So errors
  // are collected from a copy whose arrays are cut to one item more than errors are wanted (the
  // size of each cut array is checked by the explainer on the whole array). When that copy is
  // valid but something was cut, the errors lie further on: the cut grows tenfold and the check
  // runs again, until errors show or nothing is cut. The errors kept are thus at most ten times
  // the good items before them, never a whole hostile array.
  std::vector<std::string> at;
  std::vector<Tokens> cut_arrays;
  std::optional<valijson::ValidationResults> results;
  std::size_t max_items = max_errors == SIZE_MAX ? SIZE_MAX : max_errors + 1;
  while (true) {
    if (source.interruptible()) check_interrupt("checking " + source.file() + " against the schema; nothing was written");
    cut_arrays.clear();
    const Json copy = to_validated_copy(source.root(), max_items, &at, &cut_arrays);
    valijson::adapters::NlohmannJsonAdapter adapter(copy);
    results.emplace();
    if (!validator.validate(compiled.schema, adapter, &*results)) break;
    if (cut_arrays.empty()) return {};
    if (source.interruptible()) check_interrupt("checking " + source.file() + " against the schema; nothing was written");
    max_items = max_items > SIZE_MAX / 10 ? SIZE_MAX : max_items * 10;
  }

  // Every place valijson complained about, explained once. Places that only failed inside a
  // union branch not meant for the value explain to nothing and drop out.
  std::vector<Tokens> places;
  std::vector<std::string> first_description;  // valijson's words for each place, kept for debugging
  std::set<Tokens> known_places;
  for (Tokens& tokens : cut_arrays) {
    if (known_places.insert(tokens).second) {
      places.push_back(std::move(tokens));
      first_description.push_back("an array with more items than allowed");
    }
  }
  for (const valijson::ValidationResults::Error& error : *results) {
    Tokens tokens = tokens_of(error.context);
    if (known_places.insert(tokens).second) {
      places.push_back(std::move(tokens));
    }
  }
  thread_local std::map<const CompiledSchema*, Explainer> explainers;
  Explainer& explainer = explainers.try_emplace(&compiled, compiled.ordered()).first->second;
  explainer.max_problems = max_errors;
  std::vector<InputError> errors;
  std::set<std::pair<std::string, std::string>> seen;
  for (const Tokens& place : places) {
    if (errors.size() >= max_errors) break;
    for (Problem& problem : explainer.explain(source.root(), place)) {
      if (errors.size() >= max_errors) break;
      const std::string pointer = pointer_of(problem.tokens);
      if (!seen.insert({pointer, problem.message}).second) continue;
      errors.push_back(source.error(pointer, std::move(problem.message)));
    }
  }
  drop_missing_keys_explained_by_typos(errors);
  if (errors.empty() && places.empty()) return {source.error("", "does not match the schema")};
  // Places valijson refused that explain to nothing here broke a rule this explainer leaves to
  // the loader, which states each of them with the scenario's own words: keys that do not apply
  // to a fault kind or assertion type (if/then), unique zones, one workload per client, a
  // positive duration, and the maxima that are the loader's limits (exit 4, raised by a flag).
  // tests/test_schema_agreement.cpp checks that the loader refuses every such file.
  std::stable_sort(errors.begin(), errors.end(), [](const InputError& a, const InputError& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  if (errors.size() > max_errors) errors.erase(errors.begin() + static_cast<std::ptrdiff_t>(max_errors), errors.end());
  return errors;
}

}  // namespace faultline::harness
