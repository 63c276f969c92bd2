//! What a Jinja2 template reads, sets, calls and pulls in, found in minijinja's syntax tree:
//! `render_template!` checks a template against the context it is given when the crate
//! compiles, and the app checks every template's `url_for` against its routes before it
//! serves. Both read templates through this module, so they agree on what a template does.
//!
//! minijinja's parser is public only behind its `unstable_machinery` feature, whose syntax tree
//! may change in any release: the dependency is pinned to one exact version for that reason.
//! (`Template::undeclared_variables` would spare the tree, but it does not follow includes,
//! counts globals as undeclared and misses the variable of a slice, `posts[1:]`.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use minijinja::machinery::ast::{self, CallArg, Expr, Stmt};
use minijinja::machinery::WhitespaceConfig;
use minijinja::syntax::SyntaxConfig;

use crate::suggest;

/// The functions and values carafe gives every template, as Flask does: the runtime registers
/// exactly these.
pub const CARAFE_GLOBALS: [&str; 4] = ["url_for", "get_flashed_messages", "session", "request"];

/// Names a template may use without anyone giving them: `loop` in a `for`, `caller` in a
/// macro, `super` in a block, `self` anywhere (minijinja's own, resolved where they are read).
const FRAME_NAMES: [&str; 4] = ["loop", "caller", "super", "self"];

/// Where a name or a call is, in its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The name read, or the filter, test or endpoint named.
    pub name: String,
    /// Its line, counted from 1.
    pub line: usize,
}

/// A template another one pulls in by a literal name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    /// How it is pulled in.
    pub kind: PullKind,
    /// The template's name, as the loader takes it.
    pub template: String,
    /// The line of the tag.
    pub line: usize,
    /// For an include, the names the including template has set where it includes it (the
    /// included template sees them).
    pub scope: BTreeSet<String>,
    /// `{% include .. ignore missing %}`: a missing template is no mistake.
    pub ignore_missing: bool,
}

/// The tags that pull in another template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullKind {
    /// `{% extends %}`
    Extends,
    /// `{% include %}`
    Include,
    /// `{% import %}` and `{% from .. import %}`
    Import,
}

/// A call `url_for('endpoint', name=..)` whose endpoint is a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFor {
    /// The endpoint, `'blog.update'`.
    pub endpoint: String,
    /// The names of its keyword arguments, in order.
    pub keywords: Vec<String>,
    /// Whether it also passes `**values`, whose names are not known before it renders.
    pub spreads: bool,
    /// Its line.
    pub line: usize,
}

/// A variable read from outside the template: from the context, a global, or (in a block of
/// a template that extends another) the names its parent set around the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The name and line.
    pub at: Located,
    /// The innermost block it is read in, if any.
    pub block: Option<String>,
}

/// What one template does, from its syntax tree.
#[derive(Debug, Default)]
pub struct Outline {
    /// The variables it reads that it does not set itself, where it first reads each (per
    /// block).
    pub reads: Vec<Read>,
    /// The filters it applies, including those named as strings (`map('lower')`).
    pub filters: Vec<Located>,
    /// The tests it applies, including those named as strings (`select('odd')`).
    pub tests: Vec<Located>,
    /// The templates it extends, includes and imports by a literal name.
    pub pulls: Vec<Pull>,
    /// Its `url_for` calls with a literal endpoint.
    pub url_fors: Vec<UrlFor>,
    /// Its blocks, each with the names set around it: a child's block sees them.
    pub blocks: Vec<(String, BTreeSet<String>)>,
    /// What it sets at its top level, outside blocks and macros: a template that extends it
    /// or includes it sees those too.
    pub top_level: BTreeSet<String>,
}

/// A template that does not parse: minijinja's message and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// minijinja's words.
    pub message: String,
    /// The line, when minijinja knows it.
    pub line: Option<usize>,
}

/// Parses `source` (the template `name`) and outlines it.
pub fn outline(source: &str, name: &str) -> Result<Outline, SyntaxError> {
    let tree = minijinja::machinery::parse(source, name, SyntaxConfig, WhitespaceConfig::default())
        .map_err(|error| SyntaxError {
            message: error.detail().map_or_else(
                || error.kind().to_string(),
                |detail| format!("{}: {detail}", error.kind()),
            ),
            line: error.line(),
        })?;
    let mut walker = Walker {
        outline: Outline::default(),
        scopes: vec![BTreeSet::new()],
        blocks: Vec::new(),
        in_macro: 0,
    };
    walker.stmt(&tree);
    Ok(walker.outline)
}

/// Walks a template's tree, keeping the names set in each scope.
struct Walker {
    outline: Outline,
    /// The names set in each scope, innermost last: the template, then each `for`, `with`,
    /// macro and block inside it.
    scopes: Vec<BTreeSet<String>>,
    /// The blocks the walk is in, innermost last.
    blocks: Vec<String>,
    /// How many macro bodies the walk is in: what they set is no top-level name.
    in_macro: usize,
}

fn line(span: minijinja::machinery::Span) -> usize {
    usize::from(span.start_line)
}

impl Walker {
    fn is_set(&self, name: &str) -> bool {
        self.scopes.iter().any(|scope| scope.contains(name))
    }

    fn set(&mut self, name: &str) {
        if self.scopes.len() == 1 && self.blocks.is_empty() && self.in_macro == 0 {
            self.outline.top_level.insert(name.to_owned());
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_owned());
        }
    }

    /// Every name set where the walk is.
    fn visible(&self) -> BTreeSet<String> {
        self.scopes.iter().flatten().cloned().collect()
    }

    fn read(&mut self, name: &str, line: usize) {
        if self.is_set(name) || FRAME_NAMES.contains(&name) {
            return;
        }
        let block = self.blocks.last().cloned();
        let known = self
            .outline
            .reads
            .iter()
            .any(|read| read.at.name == name && read.block == block);
        if !known {
            self.outline.reads.push(Read {
                at: Located {
                    name: name.to_owned(),
                    line,
                },
                block,
            });
        }
    }

    /// Sets the names an assignment target binds (`x`, `a, b`); reads the object of
    /// `ns.attr`.
    fn assign(&mut self, target: &Expr<'_>) {
        match target {
            Expr::Var(var) => self.set(var.id),
            Expr::List(list) => list.items.iter().for_each(|item| self.assign(item)),
            other => self.expr(other),
        }
    }

    fn scoped(&mut self, walk: impl FnOnce(&mut Walker)) {
        self.scopes.push(BTreeSet::new());
        walk(self);
        self.scopes.pop();
    }

    fn body(&mut self, body: &[Stmt<'_>]) {
        body.iter().for_each(|stmt| self.stmt(stmt));
    }

    /// The template name of an extends, include or import: its literal alternatives, or,
    /// when it is computed, the expression's reads.
    fn pull(&mut self, kind: PullKind, name: &Expr<'_>, line: usize, ignore_missing: bool) {
        let literals: Option<Vec<&str>> = match name {
            Expr::Const(constant) => constant.value.as_str().map(|name| vec![name]),
            Expr::List(list) => list
                .items
                .iter()
                .map(|item| match item {
                    Expr::Const(constant) => constant.value.as_str(),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        let Some(literals) = literals else {
            self.expr(name);
            return;
        };
        // Of several alternatives, the first that exists is taken: each may be missing.
        let ignore_missing = ignore_missing || literals.len() > 1;
        let scope = match kind {
            PullKind::Include => self.visible(),
            PullKind::Extends | PullKind::Import => BTreeSet::new(),
        };
        for template in literals {
            self.outline.pulls.push(Pull {
                kind,
                template: template.to_owned(),
                line,
                scope: scope.clone(),
                ignore_missing,
            });
        }
    }

    fn stmt(&mut self, stmt: &Stmt<'_>) {
        match stmt {
            Stmt::Template(template) => self.body(&template.children),
            Stmt::EmitExpr(emit) => self.expr(&emit.expr),
            Stmt::EmitRaw(_) => {}
            Stmt::ForLoop(for_loop) => {
                self.expr(&for_loop.iter);
                self.scoped(|walker| {
                    walker.assign(&for_loop.target);
                    if let Some(filter) = &for_loop.filter_expr {
                        walker.expr(filter);
                    }
                    walker.body(&for_loop.body);
                });
                self.scoped(|walker| walker.body(&for_loop.else_body));
            }
            Stmt::IfCond(cond) => {
                // No scope of its own, as in Jinja2: a name set in a branch is set after it.
                self.expr(&cond.expr);
                self.body(&cond.true_body);
                self.body(&cond.false_body);
            }
            Stmt::WithBlock(with) => {
                for (_, value) in &with.assignments {
                    self.expr(value);
                }
                self.scoped(|walker| {
                    for (target, _) in &with.assignments {
                        walker.assign(target);
                    }
                    walker.body(&with.body);
                });
            }
            Stmt::Set(set) => {
                self.expr(&set.expr);
                self.assign(&set.target);
            }
            Stmt::SetBlock(set) => {
                if let Some(filter) = &set.filter {
                    self.expr(filter);
                }
                self.scoped(|walker| walker.body(&set.body));
                self.assign(&set.target);
            }
            Stmt::AutoEscape(auto_escape) => {
                self.expr(&auto_escape.enabled);
                self.body(&auto_escape.body);
            }
            Stmt::FilterBlock(filter_block) => {
                self.expr(&filter_block.filter);
                self.body(&filter_block.body);
            }
            Stmt::Block(block) => {
                let around = self.visible();
                self.outline.blocks.push((block.name.to_owned(), around));
                self.blocks.push(block.name.to_owned());
                self.scoped(|walker| walker.body(&block.body));
                self.blocks.pop();
            }
            Stmt::Import(import) => {
                self.pull(PullKind::Import, &import.expr, line(import.span()), false);
                self.assign(&import.name);
            }
            Stmt::FromImport(import) => {
                self.pull(PullKind::Import, &import.expr, line(import.span()), false);
                for (name, alias) in &import.names {
                    self.assign(alias.as_ref().unwrap_or(name));
                }
            }
            Stmt::Extends(extends) => {
                self.pull(
                    PullKind::Extends,
                    &extends.name,
                    line(extends.span()),
                    false,
                );
            }
            Stmt::Include(include) => self.pull(
                PullKind::Include,
                &include.name,
                line(include.span()),
                include.ignore_missing,
            ),
            Stmt::Macro(definition) => {
                self.set(definition.name);
                self.macro_body(definition);
            }
            Stmt::CallBlock(call_block) => {
                self.call(&call_block.call, line(call_block.call.span()));
                self.macro_body(&call_block.macro_decl);
            }
            Stmt::Do(call) => self.call(&call.call, line(call.call.span())),
            // `break` and `continue`, and whatever a later minijinja adds.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    fn macro_body(&mut self, definition: &ast::Macro<'_>) {
        // Defaults are evaluated where the macro is defined.
        definition
            .defaults
            .iter()
            .for_each(|default| self.expr(default));
        self.in_macro += 1;
        self.scoped(|walker| {
            definition.args.iter().for_each(|arg| walker.assign(arg));
            walker.body(&definition.body);
        });
        self.in_macro -= 1;
    }

    fn args(&mut self, args: &[CallArg<'_>]) {
        for arg in args {
            match arg {
                CallArg::Pos(expr)
                | CallArg::Kwarg(_, expr)
                | CallArg::PosSplat(expr)
                | CallArg::KwargSplat(expr) => self.expr(expr),
            }
        }
    }

    fn call(&mut self, call: &ast::Call<'_>, line: usize) {
        if let Expr::Var(callee) = &call.expr {
            if callee.id == "url_for" && !self.is_set("url_for") {
                if let Some(CallArg::Pos(Expr::Const(endpoint))) = call.args.first() {
                    if let Some(endpoint) = endpoint.value.as_str() {
                        self.outline.url_fors.push(UrlFor {
                            endpoint: endpoint.to_owned(),
                            keywords: call
                                .args
                                .iter()
                                .filter_map(|arg| match arg {
                                    CallArg::Kwarg(name, _) => Some((*name).to_owned()),
                                    _ => None,
                                })
                                .collect(),
                            spreads: call
                                .args
                                .iter()
                                .any(|arg| matches!(arg, CallArg::KwargSplat(_))),
                            line,
                        });
                    }
                }
            }
        }
        self.expr(&call.expr);
        self.args(&call.args);
    }

    /// A filter or test named as a string argument (`select('odd')`, `map('lower')`).
    fn named_in_string(&mut self, filter: &str, args: &[CallArg<'_>], line: usize) {
        let (position, is_test) = match filter {
            "select" | "reject" => (0, true),
            "selectattr" | "rejectattr" => (1, true),
            "map" => (0, false),
            _ => return,
        };
        let Some(CallArg::Pos(Expr::Const(name))) = args.get(position) else {
            return;
        };
        let Some(name) = name.value.as_str() else {
            return;
        };
        let named = Located {
            name: name.to_owned(),
            line,
        };
        if is_test {
            self.outline.tests.push(named);
        } else {
            self.outline.filters.push(named);
        }
    }

    fn expr(&mut self, expr: &Expr<'_>) {
        match expr {
            Expr::Var(var) => self.read(var.id, line(var.span())),
            Expr::Const(_) => {}
            Expr::Slice(slice) => {
                self.expr(&slice.expr);
                for bound in [&slice.start, &slice.stop, &slice.step]
                    .into_iter()
                    .flatten()
                {
                    self.expr(bound);
                }
            }
            Expr::UnaryOp(op) => self.expr(&op.expr),
            Expr::BinOp(op) => {
                self.expr(&op.left);
                self.expr(&op.right);
            }
            Expr::Compare(compare) => {
                self.expr(&compare.expr);
                compare.ops.iter().for_each(|op| self.expr(&op.expr));
            }
            Expr::IfExpr(if_expr) => {
                self.expr(&if_expr.test_expr);
                self.expr(&if_expr.true_expr);
                if let Some(otherwise) = &if_expr.false_expr {
                    self.expr(otherwise);
                }
            }
            Expr::Filter(filter) => {
                let line = line(filter.span());
                let name = normalized(filter.name);
                self.named_in_string(&name, &filter.args, line);
                self.outline.filters.push(Located { name, line });
                if let Some(operand) = &filter.expr {
                    self.expr(operand);
                }
                self.args(&filter.args);
            }
            Expr::Test(test) => {
                self.outline.tests.push(Located {
                    name: normalized(test.name),
                    line: line(test.span()),
                });
                self.expr(&test.expr);
                self.args(&test.args);
            }
            Expr::GetAttr(get) => self.expr(&get.expr),
            Expr::GetItem(get) => {
                self.expr(&get.expr);
                self.expr(&get.subscript_expr);
            }
            Expr::Call(call) => self.call(call, line(call.span())),
            Expr::List(list) => list.items.iter().for_each(|item| self.expr(item)),
            Expr::Map(map) => {
                map.keys.iter().for_each(|key| self.expr(key));
                map.values.iter().for_each(|value| self.expr(value));
            }
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
}

/// A filter or test name as minijinja looks it up: without whitespace (`foo . bar`).
fn normalized(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The environment that knows minijinja's own filters, tests and globals, as the runtime's
/// has them.
fn builtins() -> minijinja::Environment<'static> {
    minijinja::Environment::new()
}

/// The names minijinja itself gives every template (`range`, `dict`, `namespace`, ..).
pub fn builtin_globals() -> Vec<String> {
    builtins()
        .globals()
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// minijinja's built-in filters, for "did you mean" (whether one exists is asked of
/// minijinja itself).
const FILTER_NAMES: &[&str] = &[
    "safe",
    "escape",
    "e",
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "length",
    "count",
    "dictsort",
    "items",
    "reverse",
    "trim",
    "join",
    "split",
    "lines",
    "default",
    "d",
    "round",
    "abs",
    "int",
    "float",
    "attr",
    "first",
    "last",
    "min",
    "max",
    "sort",
    "list",
    "string",
    "bool",
    "batch",
    "slice",
    "sum",
    "indent",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "map",
    "groupby",
    "unique",
    "chain",
    "zip",
    "pprint",
    "format",
    "tojson",
    "urlencode",
];

/// minijinja's built-in tests, for "did you mean".
const TEST_NAMES: &[&str] = &[
    "undefined",
    "defined",
    "none",
    "safe",
    "escaped",
    "boolean",
    "odd",
    "even",
    "divisibleby",
    "number",
    "integer",
    "int",
    "float",
    "string",
    "sequence",
    "iterable",
    "mapping",
    "startingwith",
    "endingwith",
    "lower",
    "upper",
    "sameas",
    "eq",
    "equalto",
    "ne",
    "lt",
    "lessthan",
    "le",
    "gt",
    "greaterthan",
    "ge",
    "in",
    "true",
    "false",
    "filter",
    "test",
];

/// Whether minijinja has a filter of this name.
pub fn is_filter(name: &str) -> bool {
    minijinja::tests::is_filter(&builtins().empty_state(), name)
}

/// Whether minijinja has a test of this name.
pub fn is_test(name: &str) -> bool {
    minijinja::tests::is_test(&builtins().empty_state(), name)
}

/// One mistake found in a template, for a compile error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    /// The template it is in (its name, as the loader takes it).
    pub template: String,
    /// Its line, when known.
    pub line: Option<usize>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl std::fmt::Display for Mistake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "template {}, line {line}: {}",
                self.template, self.message
            ),
            None => write!(f, "template {}: {}", self.template, self.message),
        }
    }
}

/// What checking a template against its context found: every file read (for the crate to be
/// rebuilt when one changes), the mistakes, and the context keys no template reads.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every template file read, the one rendered first.
    pub files: Vec<PathBuf>,
    /// The mistakes, in the order found.
    pub mistakes: Vec<Mistake>,
    /// The context keys that neither the template nor any it pulls in reads.
    pub unread_keys: Vec<String>,
}

/// Checks the template `name` of `folder`, and every template it pulls in by a literal name,
/// against a context that gives `keys`: syntax, variables no one gives, unknown filters and
/// tests, missing templates.
pub fn check(folder: &Path, name: &str, keys: &[String]) -> Checked {
    let mut checker = Checker {
        folder,
        checked: Checked::default(),
        outlines: Vec::new(),
        known_globals: CARAFE_GLOBALS
            .iter()
            .map(|name| (*name).to_owned())
            .chain(builtin_globals())
            .collect(),
        keys,
        read_keys: BTreeSet::new(),
    };
    checker.template(name, &BTreeSet::new(), &[], None);
    // Each template's mistakes in the order of its lines, whatever found them.
    checker
        .checked
        .mistakes
        .sort_by(|a, b| (&a.template, a.line).cmp(&(&b.template, b.line)));
    checker.checked.unread_keys = keys
        .iter()
        .filter(|key| !checker.read_keys.contains(*key))
        .cloned()
        .collect();
    checker.checked
}

struct Checker<'a> {
    folder: &'a Path,
    checked: Checked,
    /// Each template outlined so far, by name (`None`: missing or broken).
    outlines: Vec<(String, Option<Outline>)>,
    known_globals: BTreeSet<String>,
    keys: &'a [String],
    read_keys: BTreeSet<String>,
}

impl Checker<'_> {
    /// Outlines the template `name` once, reporting it missing or broken (`from` is the
    /// template and line that pulls it in).
    fn load(&mut self, name: &str, from: Option<(&str, usize)>) -> Option<usize> {
        if let Some(index) = self.outlines.iter().position(|(known, _)| known == name) {
            return self.outlines[index].1.is_some().then_some(index);
        }
        let path = self.folder.join(name);
        let outline = match std::fs::read_to_string(&path) {
            Ok(source) => {
                self.checked.files.push(path);
                match outline(&source, name) {
                    Ok(outline) => Some(outline),
                    Err(error) => {
                        self.checked.mistakes.push(Mistake {
                            template: name.to_owned(),
                            line: error.line,
                            message: error.message,
                        });
                        None
                    }
                }
            }
            Err(_) => {
                let mut message = missing_template(self.folder, name);
                let (template, line) = match from {
                    Some((template, line)) => {
                        message = format!("`{name}` {message}");
                        (template.to_owned(), Some(line))
                    }
                    None => (name.to_owned(), None),
                };
                self.checked.mistakes.push(Mistake {
                    template,
                    line,
                    message,
                });
                None
            }
        };
        self.outlines.push((name.to_owned(), outline));
        let index = self.outlines.len() - 1;
        self.outlines[index].1.is_some().then_some(index)
    }

    /// Checks template `name`, rendered where `scope` is set, and, when it is a parent,
    /// for a child whose blocks are `child_blocks` (each block's reads are satisfied by what
    /// the parent sets around it).
    fn template(
        &mut self,
        name: &str,
        scope: &BTreeSet<String>,
        child_reads: &[(Read, String)],
        from: Option<(&str, usize)>,
    ) {
        // A template pulled in twice (an include in a loop, two imports) is checked once per
        // scope; the walk stops on a cycle.
        let Some(index) = self.load(name, from) else {
            return;
        };
        let Some(outline) = self.outlines[index].1.take() else {
            // Being checked further up: an include of itself.
            return;
        };
        for filter in &outline.filters {
            if !is_filter(&filter.name) {
                self.mistake(
                    name,
                    filter.line,
                    unknown("filter", &filter.name, FILTER_NAMES),
                );
            }
        }
        for test in &outline.tests {
            if !is_test(&test.name) {
                self.mistake(name, test.line, unknown("test", &test.name, TEST_NAMES));
            }
        }
        let extends = outline
            .pulls
            .iter()
            .find(|pull| pull.kind == PullKind::Extends)
            .cloned();
        // This template's reads: those of its blocks go to its parent, which decides what
        // is set around each block; the rest are checked here.
        let mut reads: Vec<(Read, String)> = Vec::new();
        for read in &outline.reads {
            if outline.top_level.contains(&read.at.name) {
                continue;
            }
            reads.push((read.clone(), name.to_owned()));
        }
        reads.extend(child_reads.iter().cloned());
        match &extends {
            Some(parent) => {
                // The child's top-level names are set when the parent renders its blocks.
                let mut scope = scope.clone();
                scope.extend(outline.top_level.iter().cloned());
                let (in_blocks, outside): (Vec<_>, Vec<_>) = reads
                    .into_iter()
                    .partition(|(read, _)| read.block.is_some());
                for (read, template) in outside {
                    self.resolve(&read, &template, &scope);
                }
                self.template(
                    &parent.template,
                    &scope,
                    &in_blocks,
                    Some((name, parent.line)),
                );
            }
            None => {
                for (read, template) in reads {
                    let around = read.block.as_ref().and_then(|block| {
                        outline
                            .blocks
                            .iter()
                            .find(|(name, _)| name == block)
                            .map(|(_, around)| around)
                    });
                    let mut visible = scope.clone();
                    visible.extend(around.into_iter().flatten().cloned());
                    self.resolve(&read, &template, &visible);
                }
            }
        }
        for pull in &outline.pulls {
            match pull.kind {
                PullKind::Extends => {}
                PullKind::Include | PullKind::Import => {
                    let mut visible = scope.clone();
                    visible.extend(pull.scope.iter().cloned());
                    if pull.ignore_missing && !self.folder.join(&pull.template).is_file() {
                        continue;
                    }
                    self.template(&pull.template, &visible, &[], Some((name, pull.line)));
                }
            }
        }
        self.outlines[index].1 = Some(outline);
    }

    /// A read that nothing in the template sets: the context, a global or `scope` must.
    fn resolve(&mut self, read: &Read, template: &str, scope: &BTreeSet<String>) {
        let name = &read.at.name;
        if self.keys.contains(name) {
            self.read_keys.insert(name.clone());
            return;
        }
        if scope.contains(name) || self.known_globals.contains(name) {
            return;
        }
        let message = match name.as_str() {
            "g" | "config" => format!(
                "`{name}` is Flask's, and carafe gives templates no `{name}`: pass what the \
                 template needs in the context, as `render_template!(\"{template}\", user => ..)`"
            ),
            _ => {
                let closest = suggest::closest(name, self.keys.iter().map(String::as_str));
                match closest {
                    Some(key) => format!(
                        "the template reads `{name}`, which the context does not give: did you \
                         mean `{key}`?"
                    ),
                    None if self.keys.is_empty() => format!(
                        "the template reads `{name}`, which the context does not give: add \
                         `{name} => ..` to render_template!"
                    ),
                    None => format!(
                        "the template reads `{name}`, which the context does not give (it gives \
                         {}): add `{name} => ..` to render_template!",
                        suggest::and_list(self.keys.iter().map(String::as_str))
                    ),
                }
            }
        };
        self.mistake(template, read.at.line, message);
    }

    fn mistake(&mut self, template: &str, line: usize, message: String) {
        let mistake = Mistake {
            template: template.to_owned(),
            line: Some(line),
            message,
        };
        if !self.checked.mistakes.contains(&mistake) {
            self.checked.mistakes.push(mistake);
        }
    }
}

/// "unknown filter `lenght`: did you mean `length`?"
fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    match suggest::closest(name, known.iter().copied()) {
        Some(known) => format!("unknown {what} `{name}`: did you mean `{known}`?"),
        None => format!("unknown {what} `{name}`: minijinja has no such {what}"),
    }
}

/// Why the template `name` cannot be read from `folder`: it is not there, and which names
/// are close.
fn missing_template(folder: &Path, name: &str) -> String {
    let names = template_names(folder);
    let close = suggest::closest(name, names.iter().map(String::as_str));
    let folder = folder.display();
    match close {
        Some(close) => format!("does not exist in {folder}: did you mean `{close}`?"),
        None if names.is_empty() => format!("does not exist in {folder}, which holds none"),
        None => format!(
            "does not exist in {folder}, which holds {}",
            suggest::and_list(names.iter().map(String::as_str))
        ),
    }
}

/// The names of every template in `folder`, as the loader takes them (`blog/index.html`).
pub fn template_names(folder: &Path) -> Vec<String> {
    fn walk(folder: &Path, prefix: &str, names: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let name = format!("{prefix}{file_name}");
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{name}/"), names);
            } else {
                names.push(name);
            }
        }
    }
    let mut names = Vec::new();
    walk(folder, "", &mut names);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(source: &str) -> Vec<String> {
        let outline = outline(source, "page.html").unwrap();
        outline.reads.into_iter().map(|read| read.at.name).collect()
    }

    #[test]
    fn the_names_for_did_you_mean_are_minijinjas_own() {
        for name in FILTER_NAMES {
            assert!(is_filter(name), "filter {name}");
        }
        for name in TEST_NAMES {
            assert!(is_test(name), "test {name}");
        }
        assert!(!is_filter("lenght") && !is_test("od"));
    }

    #[test]
    fn what_a_template_sets_it_does_not_read() {
        assert_eq!(
            reads(
                "{% set title = heading %}{{ title }}\
                 {% for post in posts if post.shown %}{{ loop.index }}{{ post }}{% endfor %}\
                 {% macro field(name, value=default_value) %}{{ name }}{{ value }}\
                 {{ caller() }}{% endmacro %}{{ field('x') }}\
                 {% with total = posts|length %}{{ total }}{% endwith %}\
                 {% set ns = namespace(n=0) %}{% set ns.n = ns.n + 1 %}"
            ),
            ["heading", "posts", "default_value", "namespace"]
        );
    }

    #[test]
    fn a_loop_variable_does_not_outlive_its_loop() {
        assert_eq!(
            reads("{% for post in posts %}{% endfor %}{{ post }}"),
            ["posts", "post"]
        );
    }

    #[test]
    fn reads_hidden_in_slices_sets_and_computed_names_are_found() {
        // What minijinja's `undeclared_variables` misses.
        assert_eq!(
            reads("{{ posts[1:] }}{% set x = x + 1 %}{% include chosen %}"),
            ["posts", "x", "chosen"]
        );
    }

    #[test]
    fn filters_tests_pulls_and_url_fors_are_listed_with_their_lines() {
        let outline = outline(
            "{% extends \"base.html\" %}\n\
             {% block body %}{{ items|map('lower')|join(', ') }}\n\
             {{ items|select('odd') }}{% if x is defined %}{% endif %}\n\
             {% include [\"a.html\", \"b.html\"] %}{% import \"forms.html\" as forms %}\n\
             {{ url_for('blog.update', id=post.id, **extra) }}{{ url_for(name) }}{% endblock %}",
            "page.html",
        )
        .unwrap();
        let names = |located: &[Located]| -> Vec<(String, usize)> {
            located.iter().map(|l| (l.name.clone(), l.line)).collect()
        };
        assert_eq!(
            names(&outline.filters),
            [
                ("join".into(), 2),
                ("lower".into(), 2),
                ("map".into(), 2),
                ("select".into(), 3)
            ]
        );
        assert_eq!(
            names(&outline.tests),
            [("odd".into(), 3), ("defined".into(), 3)]
        );
        let pulls: Vec<_> = outline
            .pulls
            .iter()
            .map(|pull| {
                (
                    pull.kind,
                    pull.template.as_str(),
                    pull.line,
                    pull.ignore_missing,
                )
            })
            .collect();
        assert_eq!(
            pulls,
            [
                (PullKind::Extends, "base.html", 1, false),
                (PullKind::Include, "a.html", 4, true),
                (PullKind::Include, "b.html", 4, true),
                (PullKind::Import, "forms.html", 4, false),
            ]
        );
        assert_eq!(
            outline.url_fors,
            [UrlFor {
                endpoint: "blog.update".into(),
                keywords: vec!["id".into()],
                spreads: true,
                line: 5
            }]
        );
    }

    #[test]
    fn a_syntax_error_is_minijinjas_message_and_line() {
        let error = outline("<p>\n{{ post.title }</p>", "page.html").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("syntax error"), "{}", error.message);
    }
}
