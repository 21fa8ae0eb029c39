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
/// Flag: the name was read from a part of the file that does not parse (a guess, kept so that
/// its uses are not reported, but not enough to say the name is not an attribute macro).
pub const FLAG_GUESSED: u8 = 8;
/// Flag: a macro recorded in [`FileSymbols::attribute_macros`] (its body is only attributes and
/// qualifiers, given that the names it mentions are too).
pub const FLAG_ATTRIBUTE_MACRO: u8 = 16;

/// A C macro whose body is made only of attributes, qualifiers and names that must themselves be
/// such macros (`#define __cold __attribute__((cold))`, `#define cf_check`,
/// `#define __init __section(".init.text")`): code can be read with its uses blanked out (see
/// [`crate::lang::mask`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributeMacro {
    /// The macro's name.
    pub name: String,
    /// Whether it takes arguments (`#define __section(s) …`).
    pub function_like: bool,
    /// Whether the body starts with the `asm` keyword (`#define asm_inline asm __inline`): the
    /// macro stands for `asm`, not for nothing.
    pub asm: bool,
    /// The names the body mentions outside attribute syntax, each of which must be an attribute
    /// macro too for this one to be.
    pub refs: Vec<String>,
}

/// What a function-like C macro does with one of its parameters when its body pastes it into
/// an identifier (`init_ ## name ## _with_stride`) or passes it on to another macro whose body
/// may (`implement_commit_slab(name, int)`): the rule [`crate::paste`] expands at each
/// invocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacroPaste {
    /// The macro's name.
    pub name: String,
    /// The 0-based index of the parameter.
    pub param: u32,
    /// What the parameter becomes.
    pub to: PasteTarget,
}

/// Where a macro's parameter goes: see [`MacroPaste`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PasteTarget {
    /// The identifier `prefix` + argument + `suffix` (the tokens pasted to it, joined).
    Name {
        /// The tokens pasted before the parameter.
        prefix: String,
        /// The tokens pasted after it.
        suffix: String,
    },
    /// The `arg`th (0-based) argument of an invocation of the macro `name` in the body.
    Forward {
        /// The macro invoked.
        name: String,
        /// Where the parameter is passed.
        arg: u32,
    },
}

/// An invocation of a name with parentheses at file scope in C (`define_commit_slab(slab, int);`),
/// which expands to definitions when the name is a macro with [`MacroPaste`] rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MacroInvocation {
    /// The name invoked.
    pub name: String,
    /// Each argument that is a single identifier, empty for the others (only identifiers can be
    /// pasted into a name).
    pub args: Vec<String>,
}

/// One defined name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Symbol {
    /// The name; Rust macros carry a trailing `!` (`vec!`).
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// 1-based line of the name.
    pub line: u32,
    /// [`FLAG_ASSERTS`], [`FLAG_STRING_MACRO`], [`FLAG_GUESSED`], [`FLAG_ATTRIBUTE_MACRO`].
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
    /// The C macros that may be attribute macros, in file order.
    pub attribute_macros: Vec<AttributeMacro>,
    /// What C function-like macros paste their parameters into, in file order.
    pub pastes: Vec<MacroPaste>,
    /// The file-scope invocations in C with at least one identifier argument, in file order.
    pub invocations: Vec<MacroInvocation>,
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
