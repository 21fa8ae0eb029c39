//! What one file defines and calls: the unit the index is built from and the cache stores.

/// The kind of a defined name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SymbolKind {
    /// A function definition (C, Rust `fn`, Python `def`).
    Function = 0,
    /// A function declaration without a body (C prototype, Rust signature in a trait or an
    /// `extern` block).
    Declaration = 1,
    /// An object-like macro (`#define N 4`).
    Macro = 2,
    /// A function-like macro (`#define MAX(a, b) …`) or a Rust `macro_rules!`.
    FunctionMacro = 3,
    /// A C `typedef` name.
    Typedef = 4,
    /// A C `struct`/`union`/`enum` tag.
    Tag = 5,
    /// A C enum constant or a Rust enum variant.
    EnumConstant = 6,
    /// A global variable (C file-scope declaration, Rust `static`, Python module-level name).
    Global = 7,
    /// A type (Rust `struct`, `enum`, `union`, `type`, `trait`; Python `class`).
    Type = 8,
    /// A constant (Rust `const`).
    Constant = 9,
    /// A module (Rust `mod`).
    Module = 10,
    /// A name brought in by an import (Rust `use`, Python `import`).
    Import = 11,
    /// A name passed to a macro invoked at file scope in C (`DEFINE_PER_CPU(int, n)`,
    /// `OBJECT_DECLARE_SIMPLE_TYPE(FooState, FOO)`): such macros declare the names they are given.
    MacroArgument = 12,
}

impl SymbolKind {
    /// Every kind, indexed by its `u8` value.
    pub const ALL: [SymbolKind; 13] = [
        SymbolKind::Function,
        SymbolKind::Declaration,
        SymbolKind::Macro,
        SymbolKind::FunctionMacro,
        SymbolKind::Typedef,
        SymbolKind::Tag,
        SymbolKind::EnumConstant,
        SymbolKind::Global,
        SymbolKind::Type,
        SymbolKind::Constant,
        SymbolKind::Module,
        SymbolKind::Import,
        SymbolKind::MacroArgument,
    ];

    /// The kind with this `u8` value.
    pub fn from_u8(v: u8) -> Option<SymbolKind> {
        SymbolKind::ALL.get(v as usize).copied()
    }

    /// A lower-case name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Declaration => "declaration",
            SymbolKind::Macro => "macro",
            SymbolKind::FunctionMacro => "function-like macro",
            SymbolKind::Typedef => "typedef",
            SymbolKind::Tag => "tag",
            SymbolKind::EnumConstant => "enum constant",
            SymbolKind::Global => "global",
            SymbolKind::Type => "type",
            SymbolKind::Constant => "constant",
            SymbolKind::Module => "module",
            SymbolKind::Import => "import",
            SymbolKind::MacroArgument => "macro argument",
        }
    }
}

/// Flag: the function's body makes an assertion (for `test-without-assertion`).
pub const FLAG_ASSERTS: u8 = 1;
/// Flag: an object-like macro whose value is a string literal (a literal format string).
pub const FLAG_STRING_MACRO: u8 = 2;

/// One defined name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Symbol {
    /// The name; Rust macros carry a trailing `!` (`vec!`).
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// 1-based line of the name.
    pub line: u32,
    /// [`FLAG_ASSERTS`], [`FLAG_STRING_MACRO`].
    pub flags: u8,
}

/// What one file defines and calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSymbols {
    /// The language plug-in that read it (`c`, `rust`, `python`).
    pub language: String,
    /// Definitions and declarations, in file order.
    pub defs: Vec<Symbol>,
    /// Names called plainly (`f(…)`, Rust macros as `m!`), each once, sorted.
    pub calls: Vec<String>,
}

impl FileSymbols {
    /// An empty record for `language`.
    pub fn new(language: &str) -> FileSymbols {
        FileSymbols {
            language: language.to_string(),
            ..FileSymbols::default()
        }
    }

    /// Adds a definition.
    pub fn def(&mut self, name: &str, kind: SymbolKind, line: u32, flags: u8) {
        if name.is_empty() {
            return;
        }
        self.defs.push(Symbol {
            name: name.to_string(),
            kind,
            line,
            flags,
        });
    }

    /// Sorts and de-duplicates the calls.
    pub fn finish(&mut self) {
        self.calls.sort_unstable();
        self.calls.dedup();
    }
}
