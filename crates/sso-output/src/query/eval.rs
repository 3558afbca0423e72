//! Tree-walking interpreter with jmespath.py's semantics over `serde_json::Value`.
//!
//! Where the JMESPath specification leaves room, the AWS CLI's behaviour is whatever
//! jmespath.py does on Python objects, so this follows it: ordering comparisons also
//! accept two strings, `0`/`1` never equal `false`/`true` at the top level, `avg`
//! always yields a float, `ceil`/`floor` yield integers, and errors are raised lazily
//! (an unknown function inside a projection over an empty list is not an error).

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::QueryError;
use super::parser::{Comparator, Node};
use sso_core::python::{
    self,
    json::{Dumps, Separators},
};

/// What jmespath.py prints for an expression reference used as a value; the real
/// text includes a memory address, so no byte-exact reproduction is possible.
const EXPREF_REPR: &str = "<jmespath.visitor._Expression object>";

pub(super) fn search(node: &Node, value: &Value) -> Result<Value, QueryError> {
    visit(node, value)
}

fn visit(node: &Node, value: &Value) -> Result<Value, QueryError> {
    match node {
        Node::Identity | Node::Current => Ok(value.clone()),
        Node::Field(name) => Ok(match value {
            Value::Object(map) => map.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        Node::Subexpression(children) | Node::IndexExpression(children) => {
            let mut result = value.clone();
            for child in children {
                result = visit(child, &result)?;
            }
            Ok(result)
        }
        Node::Index(index) => Ok(match value {
            Value::Array(items) => python::index(items.len(), *index)
                .and_then(|i| items.get(i).cloned())
                .unwrap_or(Value::Null),
            _ => Value::Null,
        }),
        Node::Slice(start, stop, step) => match value {
            Value::Array(items) => slice(items, *start, *stop, *step).map(Value::Array),
            _ => Ok(Value::Null),
        },
        Node::Projection(left, right) => {
            let Value::Array(base) = visit(left, value)? else {
                return Ok(Value::Null);
            };
            project(&base, right)
        }
        Node::ValueProjection(left, right) => {
            let Value::Object(base) = visit(left, value)? else {
                return Ok(Value::Null);
            };
            let values: Vec<Value> = base.into_iter().map(|(_, v)| v).collect();
            project(&values, right)
        }
        Node::FilterProjection(left, right, condition) => {
            let Value::Array(base) = visit(left, value)? else {
                return Ok(Value::Null);
            };
            let mut collected = Vec::new();
            for element in &base {
                if is_true(&visit(condition, element)?) {
                    let current = visit(right, element)?;
                    if !current.is_null() {
                        collected.push(current);
                    }
                }
            }
            Ok(Value::Array(collected))
        }
        Node::Flatten(inner) => {
            let Value::Array(base) = visit(inner, value)? else {
                return Ok(Value::Null);
            };
            let mut merged = Vec::new();
            for element in base {
                match element {
                    Value::Array(items) => merged.extend(items),
                    other => merged.push(other),
                }
            }
            Ok(Value::Array(merged))
        }
        Node::Literal(literal) => Ok(literal.clone()),
        Node::MultiSelectList(children) => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            children
                .iter()
                .map(|child| visit(child, value))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Node::MultiSelectHash(pairs) => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            // Insertion order is the expression's order (Python dicts keep it): this is
            // the reason the evaluator is in-house instead of the `jmespath` crate,
            // whose objects are BTreeMaps and come out re-sorted.
            let mut collected = Map::new();
            for (key, child) in pairs {
                collected.insert(key.clone(), visit(child, value)?);
            }
            Ok(Value::Object(collected))
        }
        Node::Or(left, right) => {
            let matched = visit(left, value)?;
            if is_false(&matched) {
                visit(right, value)
            } else {
                Ok(matched)
            }
        }
        Node::And(left, right) => {
            let matched = visit(left, value)?;
            if is_false(&matched) {
                Ok(matched)
            } else {
                visit(right, value)
            }
        }
        Node::Not(inner) => {
            let result = visit(inner, value)?;
            // jmespath.py special-cases numbers: `!0` is false, like every number.
            Ok(Value::Bool(match result {
                Value::Number(_) => false,
                other => is_false(&other),
            }))
        }
        Node::Pipe(left, right) => {
            let intermediate = visit(left, value)?;
            visit(right, &intermediate)
        }
        Node::Comparator(op, left, right) => {
            let left = visit(left, value)?;
            let right = visit(right, value)?;
            compare(*op, &left, &right)
        }
        Node::Function(name, args) => call_function(name, args, value),
        Node::Expref(_) => Err(expref_escaped()),
    }
}

fn expref_escaped() -> QueryError {
    // jmespath.py returns its `_Expression` object and `json.dump` then fails.
    QueryError::Unsupported {
        message: "Object of type _Expression is not JSON serializable".to_owned(),
    }
}

fn project(base: &[Value], right: &Node) -> Result<Value, QueryError> {
    let mut collected = Vec::new();
    for element in base {
        let current = visit(right, element)?;
        if !current.is_null() {
            collected.push(current);
        }
    }
    Ok(Value::Array(collected))
}

/// Python `list[start:stop:step]`.
fn slice(
    items: &[Value],
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<Vec<Value>, QueryError> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(QueryError::InvalidValue {
            message: "slice step cannot be zero".to_owned(),
        });
    }
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let clamp = |bound: Option<i64>, default: i64| -> i64 {
        match bound {
            None => default,
            Some(b) => {
                let b = if b < 0 { b.saturating_add(len) } else { b };
                if step > 0 {
                    b.clamp(0, len)
                } else {
                    b.clamp(-1, len - 1)
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(start, 0), clamp(stop, len))
    } else {
        (clamp(start, len - 1), clamp(stop, -1))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(item) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(item.clone());
        }
        i = i.saturating_add(step);
    }
    Ok(out)
}

/// jmespath.py `_is_false`: `''`, `[]`, `{}`, `null` and `false`.
fn is_false(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

fn is_true(value: &Value) -> bool {
    !is_false(value)
}

/// A Python number: `int` (arbitrary precision there, i128 here) or `float`.
#[derive(Clone, Copy, Debug)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn of(value: &Value) -> Option<Self> {
        match value {
            Value::Number(n) => Some(Self::from_number(n)),
            // Python's bool is an int subclass; only nested equality relies on that.
            _ => None,
        }
    }

    fn from_number(n: &Number) -> Self {
        if let Some(i) = n.as_i64() {
            Self::Int(i128::from(i))
        } else if let Some(u) = n.as_u64() {
            Self::Int(i128::from(u))
        } else {
            Self::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    #[expect(
        clippy::cast_precision_loss,
        reason = "Python int/float mixing rounds too"
    )]
    fn as_f64(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }

    fn cmp(self, other: Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    fn add(self, other: Self) -> Self {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a
                .checked_add(b)
                .map_or_else(|| Self::Float(self.as_f64() + other.as_f64()), Self::Int),
            (a, b) => Self::Float(a.as_f64() + b.as_f64()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Self::Int(i) => i64::try_from(i)
                .map(Value::from)
                .or_else(|_| u64::try_from(i).map(Value::from))
                .unwrap_or_else(|_| float_value(self.as_f64())),
            Self::Float(f) => float_value(f),
        }
    }
}

fn float_value(f: f64) -> Value {
    // Infinity and NaN have no JSON spelling in serde_json; Python would print them
    // as `Infinity`/`NaN`. Only reachable with absurd inputs.
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Python `==` on decoded JSON (bools compare as 0/1, ints equal floats, dicts
/// ignore key order).
fn py_eq(a: &Value, b: &Value) -> bool {
    let as_num = |v: &Value| match v {
        Value::Bool(b) => Some(Num::Int(i128::from(*b))),
        other => Num::of(other),
    };
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => match (as_num(a), as_num(b)) {
            (Some(x), Some(y)) => x.cmp(y) == Some(Ordering::Equal),
            _ => false,
        },
    }
}

/// jmespath.py `_equals`: Python equality, except that `0`/`1` never equal a bool.
fn jmespath_equals(a: &Value, b: &Value) -> bool {
    let special = |x: &Value, y: &Value| {
        matches!(Num::of(x), Some(n) if n.cmp(Num::Int(0)) == Some(Ordering::Equal)
            || n.cmp(Num::Int(1)) == Some(Ordering::Equal))
            && y.is_boolean()
    };
    if special(a, b) || special(b, a) {
        return false;
    }
    py_eq(a, b)
}

fn compare(op: Comparator, left: &Value, right: &Value) -> Result<Value, QueryError> {
    match op {
        Comparator::Eq => return Ok(Value::Bool(jmespath_equals(left, right))),
        Comparator::Ne => return Ok(Value::Bool(!jmespath_equals(left, right))),
        _ => {}
    }
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => Num::from_number(a).cmp(Num::from_number(b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
            let symbol = match op {
                Comparator::Lt => "<",
                Comparator::Lte => "<=",
                Comparator::Gt => ">",
                _ => ">=",
            };
            return Err(QueryError::Unsupported {
                message: format!(
                    "'{symbol}' not supported between instances of '{}' and '{}'",
                    python::type_name(left),
                    python::type_name(right)
                ),
            });
        }
        // Ordering anything else yields null.
        _ => return Ok(Value::Null),
    };
    let Some(ordering) = ordering else {
        return Ok(Value::Bool(false));
    };
    Ok(Value::Bool(match op {
        Comparator::Lt => ordering == Ordering::Less,
        Comparator::Lte => ordering != Ordering::Greater,
        Comparator::Gt => ordering == Ordering::Greater,
        _ => ordering != Ordering::Less,
    }))
}

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

/// An evaluated function argument: a value, or an unevaluated `&expression`.
enum Arg<'a> {
    Value(Value),
    Expref(&'a Node),
}

impl Arg<'_> {
    fn py_type(&self) -> &'static str {
        match self {
            Self::Value(v) => python::type_name(v),
            Self::Expref(_) => "_Expression",
        }
    }

    fn display(&self) -> String {
        match self {
            Self::Value(v) => python::to_str(v),
            Self::Expref(_) => EXPREF_REPR.to_owned(),
        }
    }

    fn value(&self) -> Result<&Value, QueryError> {
        match self {
            Self::Value(v) => Ok(v),
            Self::Expref(_) => Err(expref_escaped()),
        }
    }
}

/// jmespath.py `TYPES_MAP`: Python type name to JMESPath type name.
fn jmespath_type(py_type: &str) -> &'static str {
    match py_type {
        "bool" => "boolean",
        "list" => "array",
        "dict" => "object",
        "NoneType" => "null",
        "str" => "string",
        "float" | "int" => "number",
        "_Expression" => "expref",
        _ => "unknown",
    }
}

/// jmespath.py `REVERSE_TYPES_MAP`: JMESPath type name to accepted Python types.
fn python_types(jmespath: &str) -> &'static [&'static str] {
    match jmespath {
        "boolean" => &["bool"],
        "array" => &["list"],
        "object" => &["dict"],
        "null" => &["NoneType"],
        "string" => &["str"],
        "number" => &["float", "int"],
        "expref" => &["_Expression"],
        _ => &[],
    }
}

/// One positional parameter: the accepted JMESPath types (empty = any).
type Param = &'static [&'static str];

struct Signature {
    params: &'static [Param],
    variadic: bool,
}

const ANY: Param = &[];

fn signature(name: &str) -> Option<Signature> {
    let fixed = |params: &'static [Param]| Signature {
        params,
        variadic: false,
    };
    Some(match name {
        "abs" | "ceil" | "floor" => fixed(&[&["number"]]),
        "avg" | "sum" => fixed(&[&["array-number"]]),
        "contains" => fixed(&[&["array", "string"], ANY]),
        "ends_with" | "starts_with" => fixed(&[&["string"], &["string"]]),
        "join" => fixed(&[&["string"], &["array-string"]]),
        "keys" | "values" => fixed(&[&["object"]]),
        "length" => fixed(&[&["string", "array", "object"]]),
        "map" => fixed(&[&["expref"], &["array"]]),
        "max" | "min" => fixed(&[&["array-number", "array-string"]]),
        "max_by" | "min_by" | "sort_by" => fixed(&[&["array"], &["expref"]]),
        "merge" => Signature {
            params: &[&["object"]],
            variadic: true,
        },
        "not_null" => Signature {
            params: &[ANY],
            variadic: true,
        },
        "reverse" => fixed(&[&["array", "string"]]),
        "sort" => fixed(&[&["array-string", "array-number"]]),
        "to_array" | "to_string" | "to_number" | "type" => fixed(&[ANY]),
        _ => return None,
    })
}

fn type_error(function: &str, value: &str, received: &str, expected: &[&str]) -> QueryError {
    let expected: Vec<String> = expected.iter().map(|t| format!("'{t}'")).collect();
    QueryError::InvalidType {
        function: function.to_owned(),
        message: format!(
            "In function {function}(), invalid type for value: {value}, expected one of: [{}], received: \"{received}\"",
            expected.join(", ")
        ),
    }
}

/// jmespath.py `_type_check_single`, including its use of the raw Python type name
/// (`str`, `int`, ...) when an array *element* has the wrong type.
fn check_type(function: &str, arg: &Arg<'_>, types: Param) -> Result<(), QueryError> {
    if types.is_empty() {
        return Ok(());
    }
    let mut allowed: Vec<&str> = Vec::new();
    let mut allowed_sub: Vec<&'static [&'static str]> = Vec::new();
    for t in types {
        match t.split_once('-') {
            Some((outer, inner)) => {
                allowed.extend(python_types(outer));
                allowed_sub.push(python_types(inner));
            }
            None => allowed.extend(python_types(t)),
        }
    }
    let actual = arg.py_type();
    if !allowed.contains(&actual) {
        return Err(type_error(
            function,
            &arg.display(),
            jmespath_type(actual),
            types,
        ));
    }
    let Arg::Value(Value::Array(items)) = arg else {
        return Ok(());
    };
    let allowed_elements: &[&str] = match allowed_sub.as_slice() {
        [] => return Ok(()),
        [only] => only,
        several => {
            let Some(first) = items.first() else {
                return Ok(());
            };
            let first_type = python::type_name(first);
            match several.iter().find(|sub| sub.contains(&first_type)) {
                Some(sub) => sub,
                None => {
                    return Err(type_error(
                        function,
                        &python::to_str(first),
                        first_type,
                        types,
                    ));
                }
            }
        }
    };
    for element in items {
        let element_type = python::type_name(element);
        if !allowed_elements.contains(&element_type) {
            return Err(type_error(
                function,
                &python::to_str(element),
                element_type,
                types,
            ));
        }
    }
    Ok(())
}

fn call_function(name: &str, nodes: &[Node], current: &Value) -> Result<Value, QueryError> {
    // jmespath.py evaluates every argument before it even looks the function up.
    let mut args = Vec::with_capacity(nodes.len());
    for node in nodes {
        args.push(match node {
            Node::Expref(inner) => Arg::Expref(inner),
            other => Arg::Value(visit(other, current)?),
        });
    }
    let Some(sig) = signature(name) else {
        return Err(QueryError::UnknownFunction {
            name: name.to_owned(),
        });
    };
    let expected = sig.params.len();
    if (sig.variadic && args.len() < expected) || (!sig.variadic && args.len() != expected) {
        let plural = if expected == 1 {
            "argument"
        } else {
            "arguments"
        };
        let at_least = if sig.variadic { "at least " } else { "" };
        return Err(QueryError::InvalidArity {
            function: name.to_owned(),
            message: format!(
                "Expected {at_least}{expected} {plural} for function {name}(), received {}",
                args.len()
            ),
        });
    }
    // Only the declared parameters are checked, so `merge`'s extra arguments are not.
    for (arg, types) in args.iter().zip(sig.params) {
        check_type(name, arg, types)?;
    }
    apply(name, &args)
}

fn string_arg<'a>(arg: &'a Arg<'_>) -> Result<&'a str, QueryError> {
    match arg.value()? {
        Value::String(s) => Ok(s),
        _ => Err(expref_escaped()),
    }
}

fn array_arg<'a>(arg: &'a Arg<'_>) -> Result<&'a [Value], QueryError> {
    match arg.value()? {
        Value::Array(items) => Ok(items),
        _ => Err(expref_escaped()),
    }
}

fn expref_arg<'a>(arg: &Arg<'a>) -> Result<&'a Node, QueryError> {
    match arg {
        Arg::Expref(node) => Ok(node),
        Arg::Value(_) => Err(expref_escaped()),
    }
}

fn num_arg(arg: &Arg<'_>) -> Result<Num, QueryError> {
    Num::of(arg.value()?).ok_or_else(expref_escaped)
}

fn apply(name: &str, args: &[Arg<'_>]) -> Result<Value, QueryError> {
    let first = || args.first().ok_or_else(expref_escaped);
    let second = || args.get(1).ok_or_else(expref_escaped);
    match name {
        "abs" => Ok(match num_arg(first()?)? {
            Num::Int(i) => Num::Int(i.abs()),
            Num::Float(f) => Num::Float(f.abs()),
        }
        .into_value()),
        "avg" => {
            let items = array_arg(first()?)?;
            if items.is_empty() {
                return Ok(Value::Null);
            }
            let total = sum(items);
            #[expect(clippy::cast_precision_loss, reason = "Python's true division")]
            let avg = total.as_f64() / items.len() as f64;
            Ok(float_value(avg))
        }
        "ceil" | "floor" => Ok(match num_arg(first()?)? {
            Num::Int(i) => Num::Int(i),
            Num::Float(f) => {
                let rounded = if name == "ceil" { f.ceil() } else { f.floor() };
                // math.ceil/floor return an int in Python 3.
                #[expect(clippy::cast_possible_truncation, reason = "checked range")]
                if rounded.is_finite() && rounded.abs() < 1.7e38 {
                    Num::Int(rounded as i128)
                } else {
                    Num::Float(rounded)
                }
            }
        }
        .into_value()),
        "contains" => {
            let search = second()?.value()?;
            match first()?.value()? {
                Value::String(subject) => match search {
                    Value::String(needle) => Ok(Value::Bool(subject.contains(needle.as_str()))),
                    other => Err(QueryError::Unsupported {
                        message: format!(
                            "'in <string>' requires string as left operand, not {}",
                            python::type_name(other)
                        ),
                    }),
                },
                Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| py_eq(i, search)))),
                _ => Err(expref_escaped()),
            }
        }
        "ends_with" => Ok(Value::Bool(
            string_arg(first()?)?.ends_with(string_arg(second()?)?),
        )),
        "starts_with" => Ok(Value::Bool(
            string_arg(first()?)?.starts_with(string_arg(second()?)?),
        )),
        "join" => {
            let separator = string_arg(first()?)?;
            let parts: Vec<&str> = array_arg(second()?)?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Ok(Value::String(parts.join(separator)))
        }
        "keys" => match first()?.value()? {
            Value::Object(map) => Ok(Value::Array(
                map.keys().cloned().map(Value::String).collect(),
            )),
            _ => Err(expref_escaped()),
        },
        "values" => match first()?.value()? {
            Value::Object(map) => Ok(Value::Array(map.values().cloned().collect())),
            _ => Err(expref_escaped()),
        },
        "length" => Ok(Value::from(match first()?.value()? {
            Value::String(s) => s.chars().count(),
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => return Err(expref_escaped()),
        })),
        "map" => {
            let expression = expref_arg(first()?)?;
            array_arg(second()?)?
                .iter()
                .map(|element| visit(expression, element))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        "max" | "min" => {
            let items = array_arg(first()?)?;
            let want = if name == "max" {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            let mut best: Option<&Value> = None;
            for item in items {
                if best.is_none_or(|b| order(item, b) == Some(want)) {
                    best = Some(item);
                }
            }
            Ok(best.cloned().unwrap_or(Value::Null))
        }
        "max_by" | "min_by" => extreme_by(name, array_arg(first()?)?, expref_arg(second()?)?),
        "merge" => merge(args),
        "not_null" => {
            for arg in args {
                match arg {
                    Arg::Value(Value::Null) => {}
                    Arg::Value(v) => return Ok(v.clone()),
                    Arg::Expref(_) => return Err(expref_escaped()),
                }
            }
            Ok(Value::Null)
        }
        "reverse" => match first()?.value()? {
            Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
            Value::Array(items) => Ok(Value::Array(items.iter().rev().cloned().collect())),
            _ => Err(expref_escaped()),
        },
        "sort" => {
            let mut items = array_arg(first()?)?.to_vec();
            items.sort_by(|a, b| order(a, b).unwrap_or(Ordering::Equal));
            Ok(Value::Array(items))
        }
        "sort_by" => sort_by(array_arg(first()?)?, expref_arg(second()?)?),
        "sum" => Ok(sum(array_arg(first()?)?).into_value()),
        "to_array" => match first()?.value()? {
            Value::Array(items) => Ok(Value::Array(items.clone())),
            other => Ok(Value::Array(vec![other.clone()])),
        },
        "to_string" => match first()?.value()? {
            Value::String(s) => Ok(Value::String(s.clone())),
            other => Ok(Value::String(
                Dumps::new().separators(Separators::COMPACT).dumps(other),
            )),
        },
        "to_number" => Ok(match first()?.value()? {
            Value::Number(n) => Value::Number(n.clone()),
            Value::String(s) => parse_python_number(s).map_or(Value::Null, Num::into_value),
            _ => Value::Null,
        }),
        "type" => Ok(match first()? {
            Arg::Value(v) => Value::String(jmespath_type(python::type_name(v)).to_owned()),
            // `_func_type` falls through its isinstance chain and returns None.
            Arg::Expref(_) => Value::Null,
        }),
        _ => Err(QueryError::UnknownFunction {
            name: name.to_owned(),
        }),
    }
}

/// Python `<`/`>` between two numbers or two strings (the only mixes type checks let
/// through to `max`, `min` and `sort`).
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Num::from_number(x).cmp(Num::from_number(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn sum(items: &[Value]) -> Num {
    items.iter().filter_map(Num::of).fold(Num::Int(0), Num::add)
}

fn key_type_error(function: &str, key: &Value, allowed: &[&str]) -> QueryError {
    type_error(
        function,
        &python::to_str(key),
        jmespath_type(python::type_name(key)),
        allowed,
    )
}

fn sort_by(items: &[Value], expression: &Node) -> Result<Value, QueryError> {
    let Some(first) = items.first() else {
        return Ok(Value::Array(Vec::new()));
    };
    let required = jmespath_type(python::type_name(&visit(expression, first)?));
    if required != "number" && required != "string" {
        return Err(type_error(
            "sort_by",
            &python::to_str(first),
            required,
            &["string", "number"],
        ));
    }
    // Python's sorted() computes every key first, then sorts stably.
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        let key = visit(expression, item)?;
        if jmespath_type(python::type_name(&key)) != required {
            return Err(key_type_error("sort_by", &key, &[required]));
        }
        keyed.push((key, item.clone()));
    }
    keyed.sort_by(|(a, _), (b, _)| order(a, b).unwrap_or(Ordering::Equal));
    Ok(Value::Array(
        keyed.into_iter().map(|(_, item)| item).collect(),
    ))
}

/// `max(array, key=...)` / `min(...)`: keys are validated one by one and compared
/// with the best so far, so a string/number mix fails like Python's comparison.
fn extreme_by(name: &str, items: &[Value], expression: &Node) -> Result<Value, QueryError> {
    let (want, symbol) = if name == "max_by" {
        (Ordering::Greater, ">")
    } else {
        (Ordering::Less, "<")
    };
    let mut best: Option<(Value, &Value)> = None;
    for item in items {
        let key = visit(expression, item)?;
        if !matches!(key, Value::Number(_) | Value::String(_)) {
            return Err(key_type_error(name, &key, &["number", "string"]));
        }
        match &best {
            None => best = Some((key, item)),
            Some((best_key, _)) => match order(&key, best_key) {
                Some(ordering) => {
                    if ordering == want {
                        best = Some((key, item));
                    }
                }
                None => {
                    return Err(QueryError::Unsupported {
                        message: format!(
                            "'{symbol}' not supported between instances of '{}' and '{}'",
                            python::type_name(&key),
                            python::type_name(best_key)
                        ),
                    });
                }
            },
        }
    }
    Ok(best.map(|(_, item)| item.clone()).unwrap_or(Value::Null))
}

/// `merge`: `dict.update` with each argument in turn. Only the first argument is
/// type-checked by jmespath.py, so later non-objects fail the way `update` does.
fn merge(args: &[Arg<'_>]) -> Result<Value, QueryError> {
    let mut merged = Map::new();
    for arg in args {
        match arg.value()? {
            Value::Object(map) => {
                for (k, v) in map {
                    merged.insert(k.clone(), v.clone());
                }
            }
            Value::String(s) if s.is_empty() => {}
            Value::Array(items) => merge_pairs(&mut merged, items)?,
            Value::String(_) => {
                return Err(QueryError::Unsupported {
                    message: "dictionary update sequence element #0 has length 1; 2 is required"
                        .to_owned(),
                });
            }
            other => {
                return Err(QueryError::Unsupported {
                    message: format!("'{}' object is not iterable", python::type_name(other)),
                });
            }
        }
    }
    Ok(Value::Object(merged))
}

/// `dict.update(list_of_pairs)`.
fn merge_pairs(merged: &mut Map<String, Value>, items: &[Value]) -> Result<(), QueryError> {
    for (index, item) in items.iter().enumerate() {
        let pair: Vec<Value> = match item {
            Value::Array(pair) => pair.clone(),
            Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
            Value::Object(map) => map.keys().cloned().map(Value::String).collect(),
            _ => {
                return Err(QueryError::Unsupported {
                    message: format!(
                        "cannot convert dictionary update sequence element #{index} to a sequence"
                    ),
                });
            }
        };
        let [key, value] = pair.as_slice() else {
            return Err(QueryError::Unsupported {
                message: format!(
                    "dictionary update sequence element #{index} has length {}; 2 is required",
                    pair.len()
                ),
            });
        };
        // json.dumps turns non-string keys into strings when the result is printed.
        let key = match key {
            Value::String(s) => s.clone(),
            Value::Array(_) | Value::Object(_) => {
                return Err(QueryError::Unsupported {
                    message: format!("unhashable type: '{}'", python::type_name(key)),
                });
            }
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            other @ Value::Number(_) => python::repr(other),
        };
        merged.insert(key, value.clone());
    }
    Ok(())
}

/// `int(s)` then `float(s)` as jmespath.py's `to_number` tries them (ASCII digits
/// only; `inf`/`nan` have no JSON form and become null).
fn parse_python_number(s: &str) -> Option<Num> {
    let s = s.trim_matches(|c: char| c.is_whitespace());
    let digits_ok = |t: &str| {
        !t.is_empty()
            && !t.starts_with('_')
            && !t.ends_with('_')
            && !t.contains("__")
            && t.chars().all(|c| c.is_ascii_digit() || c == '_')
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits_ok(unsigned) {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        return cleaned
            .parse::<i128>()
            .map(Num::Int)
            .ok()
            .or_else(|| cleaned.parse::<f64>().ok().map(Num::Float));
    }
    // float(): digits[.digits][e[+-]digits] with optional parts, underscores between digits.
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let int_ok = int_part.is_empty() || digits_ok(int_part);
    let frac_ok = frac_part.is_none_or(|f| f.is_empty() || digits_ok(f));
    let has_digits = !int_part.is_empty() || frac_part.is_some_and(|f| !f.is_empty());
    let exp_ok = exponent.is_none_or(|e| digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !(int_ok && frac_ok && has_digits && exp_ok) {
        return None;
    }
    let cleaned: String = s.chars().filter(|c| *c != '_').collect();
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Num::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_slices() {
        let items: Vec<Value> = (0..5).map(Value::from).collect();
        let s = |a, b, c| slice(&items, a, b, c).map(Value::Array).ok();
        assert_eq!(
            s(None, None, Some(-1)),
            Some(serde_json::json!([4, 3, 2, 1, 0]))
        );
        assert_eq!(s(Some(-2), None, None), Some(serde_json::json!([3, 4])));
        assert_eq!(
            s(Some(10), Some(-10), Some(-2)),
            Some(serde_json::json!([4, 2, 0]))
        );
        assert_eq!(
            s(Some(1), Some(100), Some(3)),
            Some(serde_json::json!([1, 4]))
        );
    }

    #[test]
    fn to_number_follows_python_int_and_float() {
        let n = |s: &str| parse_python_number(s).map(Num::into_value);
        assert_eq!(n(" 42 "), Some(Value::from(42)));
        assert_eq!(n("1_000"), Some(Value::from(1000)));
        assert_eq!(n("-1.5e3"), Some(serde_json::json!(-1500.0)));
        assert_eq!(n(".5"), Some(serde_json::json!(0.5)));
        assert_eq!(n("1."), Some(serde_json::json!(1.0)));
        assert_eq!(n("abc"), None);
        assert_eq!(n("1__0"), None);
        assert_eq!(n("inf"), None);
        assert_eq!(n(""), None);
    }
}
