//! The symbol index on repositories built with git: what it finds, and that the cache is reused
//! incrementally (only changed blobs are parsed again).

mod support;

use provgate_analysis::{IndexOptions, Languages, Repo, SymbolKind};
use support::TestRepo;

fn options(r: &TestRepo) -> IndexOptions {
    IndexOptions {
        cache: true,
        threads: Some(2),
        cache_dir: Some(r.cache_dir()),
    }
}

fn index_at(
    r: &TestRepo,
    rev: &str,
) -> (
    provgate_analysis::SymbolIndex,
    provgate_analysis::IndexStats,
) {
    let repo = Repo::open(r.path()).unwrap();
    let commit = repo.commit(rev).unwrap();
    let tree = repo.tree_of(commit).unwrap();
    repo.index(tree, Some(commit), &Languages::default(), &options(r))
        .unwrap()
}

#[test]
fn indexes_c_rust_and_python_definitions() {
    let r = TestRepo::new();
    r.write(
        "a.h",
        "#define OBJ 1\n#define FN(x) (x)\ntypedef struct tag { int f; } alias_t;\nunion u { int a; };\nenum e { CONST_A, CONST_B = 2 };\nextern int global_var;\nint proto(void);\nstatic void (*hook)(int);\nDEFINE_PER_CPU(int, percpu_var);\nOBJECT_DECLARE_SIMPLE_TYPE(FooState, FOO_DEV)\n",
    );
    r.write(
        "b.c",
        "int defined_fn(int a)\n{\n    return called_fn(a);\n}\n",
    );
    r.write(
        "lib.rs",
        "use std::fmt::{self, Display as Disp};\nmacro_rules! mac { () => {} }\npub fn rfn() {}\nstruct S;\nenum E { Var }\ntrait T {}\nconst C: u8 = 1;\nstatic ST: u8 = 1;\nmod m {}\nextern \"C\" { fn ext(); }\n",
    );
    r.write(
        "mod.py",
        "import os.path\nfrom x import y as z\nCONST = 1\n\ndef pyfn():\n    local = 2\n\nclass K:\n    def meth(self):\n        pass\n",
    );
    r.write("README", "not code\n");
    r.commit("base");
    let (index, stats) = index_at(&r, "HEAD");
    assert_eq!(stats.files, 4);
    assert_eq!(stats.parsed, 4);
    for name in [
        "OBJ",
        "FN",
        "tag",
        "alias_t",
        "u",
        "e",
        "CONST_A",
        "CONST_B",
        "global_var",
        "proto",
        "hook",
        "percpu_var",
        "FOO_DEV",
        "defined_fn",
    ] {
        assert!(index.defines("c", name), "c {name}");
    }
    assert!(index.called("c", "called_fn") && !index.defines("c", "called_fn"));
    for name in [
        "fmt", "Disp", "mac!", "rfn", "S", "E", "Var", "T", "C", "ST", "m", "ext",
    ] {
        assert!(index.defines("rust", name), "rust {name}");
    }
    for name in ["os", "z", "CONST", "pyfn", "K", "meth"] {
        assert!(index.defines("python", name), "python {name}");
    }
    assert!(
        !index.defines("python", "local"),
        "function locals are not module names"
    );
    let file = index.file("a.h").unwrap();
    let obj = file.defs.iter().find(|d| d.name == "OBJ").unwrap();
    assert_eq!((obj.kind, obj.line), (SymbolKind::Macro, 1));
}

#[test]
fn cache_is_reused_incrementally_from_the_parent_tree() {
    let r = TestRepo::new();
    for i in 0..20 {
        r.write(
            &format!("src/f{i}.c"),
            &format!("int f{i}(void)\n{{\n    return {i};\n}}\n"),
        );
    }
    r.commit("twenty files");
    let (_, cold) = index_at(&r, "HEAD");
    assert_eq!((cold.files, cold.parsed, cold.reused), (20, 20, 0));
    assert!(cold.written && cold.from_cache.is_none());

    // The same tree again: nothing parsed, nothing written.
    let (_, warm) = index_at(&r, "HEAD");
    assert_eq!((warm.parsed, warm.reused), (0, 20));
    assert!(!warm.written);

    // A child commit changing one file and adding one: only those two are parsed, from the
    // parent's cache file.
    let parent_tree = r.git(&["rev-parse", "HEAD^{tree}"]);
    r.write("src/f3.c", "int f3_renamed(void)\n{\n    return 3;\n}\n");
    r.write("src/new.c", "int brand_new(void)\n{\n    return 0;\n}\n");
    r.commit("change one, add one");
    let (index, inc) = index_at(&r, "HEAD");
    assert_eq!((inc.files, inc.parsed, inc.reused), (21, 2, 19));
    assert_eq!(inc.from_cache.as_deref(), Some(parent_tree.as_str()));
    assert!(index.defines("c", "f3_renamed") && !index.defines("c", "f3"));
    assert!(index.defines("c", "brand_new"));

    // Two commits on, the grandparent's or parent's cache is found through first parents.
    r.write("src/f4.c", "int f4b(void)\n{\n    return 4;\n}\n");
    r.commit("one more");
    let (_, again) = index_at(&r, "HEAD");
    assert_eq!(again.parsed, 1);

    // A damaged cache file is ignored and rebuilt.
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]);
    let file = r.cache_dir().join(format!("{tree}.pgi"));
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    let (index, rebuilt) = index_at(&r, "HEAD");
    assert!(rebuilt.parsed >= 1 && rebuilt.written);
    assert!(index.defines("c", "f4b"));
}

#[test]
fn cache_lives_in_the_git_dir_by_default() {
    let r = TestRepo::new();
    r.write("a.c", "int a(void) { return 0; }\n");
    r.commit("a");
    let repo = Repo::open(r.path()).unwrap();
    let commit = repo.commit("HEAD").unwrap();
    let tree = repo.tree_of(commit).unwrap();
    let (_, stats) = repo
        .index(
            tree,
            Some(commit),
            &Languages::default(),
            &IndexOptions::default(),
        )
        .unwrap();
    assert!(stats.written);
    assert!(
        r.path()
            .join(format!(".git/provgate/index/v1/{tree}.pgi"))
            .exists()
    );
    // Nothing in the work tree.
    assert_eq!(r.git(&["status", "--porcelain"]), "");
}
