//! Making recursive types finite.
//!
//! Two passes: aliases that mention themselves (`type Tree = Vec<Tree>`,
//! which Rust rejects) become newtypes, then every struct field and union
//! variant that holds a type of its own strongly connected component by
//! value (not behind a `Vec` or map) is boxed.

use super::{TypeDef, TypeId, TypeKind, TypeRef};

/// Applies both passes to `types`.
pub fn make_finite(types: &mut [TypeDef]) {
    alias_cycles_to_newtypes(types);
    box_recursive_fields(types);
}

fn alias_cycles_to_newtypes(types: &mut [TypeDef]) {
    let edges: Vec<Vec<TypeId>> = types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Alias(ty) => {
                let mut out = Vec::new();
                mentioned(ty, &mut out);
                out.retain(|&t| matches!(types[t].kind, TypeKind::Alias(_)));
                out
            }
            _ => Vec::new(),
        })
        .collect();
    let components = strongly_connected(&edges);
    for (id, def) in types.iter_mut().enumerate() {
        let cyclic = components.in_cycle(id, &edges);
        if let (true, TypeKind::Alias(ty)) = (cyclic, &def.kind) {
            def.kind = TypeKind::Newtype(ty.clone());
        }
    }
}

fn box_recursive_fields(types: &mut [TypeDef]) {
    let edges: Vec<Vec<TypeId>> = types.iter().map(|def| by_value_of_kind(&def.kind)).collect();
    let components = strongly_connected(&edges);
    for (id, def) in types.iter_mut().enumerate() {
        if !components.in_cycle(id, &edges) {
            continue;
        }
        let component = components.component[id];
        let same = |t: TypeId| components.component[t] == component;
        match &mut def.kind {
            TypeKind::Struct(def) => {
                for field in &mut def.fields {
                    box_by_value(&mut field.ty, &same);
                }
            }
            TypeKind::Union(def) => {
                for variant in &mut def.variants {
                    box_by_value(&mut variant.ty, &same);
                }
            }
            TypeKind::Newtype(ty) => box_by_value(ty, &same),
            TypeKind::Alias(_) | TypeKind::StringEnum(_) => {}
        }
    }
}

/// Named types held by value in a type's definition.
fn by_value_of_kind(kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(def) => def.fields.iter().for_each(|f| by_value(&f.ty, &mut out)),
        TypeKind::Union(def) => def.variants.iter().for_each(|v| by_value(&v.ty, &mut out)),
        TypeKind::Alias(ty) | TypeKind::Newtype(ty) => by_value(ty, &mut out),
        TypeKind::StringEnum(_) => {}
    }
    out
}

/// Named types that `ty` holds inline (through `Option`, not `Vec`/`Map`/`Box`).
fn by_value(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Option(inner) => by_value(inner, out),
        _ => {}
    }
}

/// Every named type `ty` mentions anywhere.
pub(super) fn mentioned(ty: &TypeRef, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Option(inner) | TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Box(inner) => {
            mentioned(inner, out)
        }
        _ => {}
    }
}

/// Wraps the by-value named type in `ty` in a `Box` when `same` says it is
/// part of the cycle.
fn box_by_value(ty: &mut TypeRef, same: &dyn Fn(TypeId) -> bool) {
    match ty {
        TypeRef::Named(id) if same(*id) => {
            let inner = std::mem::replace(ty, TypeRef::Unit);
            *ty = TypeRef::Box(Box::new(inner));
        }
        TypeRef::Option(inner) => box_by_value(inner, same),
        _ => {}
    }
}

/// The strongly connected components of a graph.
struct Components {
    component: Vec<usize>,
    size: Vec<usize>,
}

impl Components {
    /// Whether `id` is on a cycle: in a component of two or more, or with an edge to itself.
    fn in_cycle(&self, id: TypeId, edges: &[Vec<TypeId>]) -> bool {
        self.size[self.component[id]] > 1 || edges[id].contains(&id)
    }
}

/// Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
fn strongly_connected(edges: &[Vec<TypeId>]) -> Components {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; n];
    let mut size = Vec::new();
    let mut next_index = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let c = size.len();
                let mut count = 0;
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = c;
                    count += 1;
                    if w == v {
                        break;
                    }
                }
                size.push(count);
            }
        }
    }
    Components { component, size }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 alone
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![]];
        let c = strongly_connected(&edges);
        assert!(c.in_cycle(0, &edges) && c.in_cycle(1, &edges) && c.in_cycle(2, &edges));
        assert!(c.in_cycle(3, &edges));
        assert!(!c.in_cycle(4, &edges));
        assert_eq!(c.component[0], c.component[2]);
    }

    #[test]
    fn deep_chains_do_not_overflow() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        let c = strongly_connected(&edges);
        assert!(c.in_cycle(n / 2, &edges));
    }
}
