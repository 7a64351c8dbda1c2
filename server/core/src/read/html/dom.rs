//! The page as a tree: html5ever's tree builder writes into a flat arena of nodes, each with
//! the source line its start tag (or its first character) was on.
//!
//! Why a sink of our own rather than a DOM crate: the reader needs the line of every element
//! and text, which html5ever reports to the sink (`set_current_line`) but the DOM crates
//! drop; and a flat arena of indices is all a single read-only walk needs.

use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{local_name, ns, parse_document, Attribute, LocalName, QualName};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Index of a node in [`Dom::nodes`].
pub type Id = usize;

#[derive(Debug)]
pub enum Data {
    Document,
    Element {
        name: LocalName,
        attrs: Vec<(LocalName, String)>,
    },
    Text(String),
    /// Comments, doctypes, processing instructions: nothing to read.
    Other,
}

#[derive(Debug)]
pub struct Node {
    pub parent: Option<Id>,
    pub children: Vec<Id>,
    pub data: Data,
    /// Line of the page source (from 1) where the node starts.
    pub line: usize,
}

impl Node {
    /// The element's local name (lower case), or `None` for other nodes.
    pub fn name(&self) -> Option<&str> {
        match &self.data {
            Data::Element { name, .. } => Some(name),
            _ => None,
        }
    }
    pub fn attr(&self, key: &str) -> Option<&str> {
        match &self.data {
            Data::Element { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| &**k == key)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// A parsed page: node 0 is the document.
#[derive(Debug)]
pub struct Dom {
    pub nodes: Vec<Node>,
    /// Per node: not read (script, style, navigation, hidden …); filled in by the reader.
    pub furniture: Vec<bool>,
}

pub const DOCUMENT: Id = 0;

impl Dom {
    pub fn parse(text: &str) -> Dom {
        let sink = Sink {
            nodes: RefCell::new(vec![Node {
                parent: None,
                children: Vec::new(),
                data: Data::Document,
                line: 1,
            }]),
            line: Cell::new(1),
            template_contents: RefCell::new(Vec::new()),
        };
        parse_document(sink, Default::default()).one(StrTendril::from(text))
    }

    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id]
    }
}

/// A handle the tree builder holds: the node's index and, for an element, its name (the
/// builder asks for names by handle, and a reference into the arena could not be lent out
/// while the arena grows).
#[derive(Clone, Debug)]
pub struct Handle(Rc<(Id, QualName)>);

impl Handle {
    fn id(&self) -> Id {
        self.0 .0
    }
}

struct Sink {
    nodes: RefCell<Vec<Node>>,
    line: Cell<usize>,
    /// (template element, its contents fragment)
    template_contents: RefCell<Vec<(Id, Handle)>>,
}

fn no_name() -> QualName {
    QualName::new(None, ns!(), local_name!(""))
}

impl Sink {
    fn new_node(&self, data: Data, name: QualName) -> Handle {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            parent: None,
            children: Vec::new(),
            data,
            line: self.line.get(),
        });
        Handle(Rc::new((nodes.len() - 1, name)))
    }

    fn detach(nodes: &mut [Node], id: Id) {
        if let Some(p) = nodes[id].parent.take() {
            nodes[p].children.retain(|&c| c != id);
        }
    }

    /// Put `child` into `parent` at `index` (or at the end), merging text with a text
    /// neighbour as the tree builder requires.
    fn insert(&self, parent: Id, index: Option<usize>, child: NodeOrText<Handle>) {
        let mut nodes = self.nodes.borrow_mut();
        let at = index.unwrap_or(nodes[parent].children.len());
        match child {
            NodeOrText::AppendText(t) => {
                let before = at.checked_sub(1).map(|i| nodes[parent].children[i]);
                if let Some(b) = before {
                    if let Data::Text(s) = &mut nodes[b].data {
                        s.push_str(&t);
                        return;
                    }
                }
                nodes.push(Node {
                    parent: Some(parent),
                    children: Vec::new(),
                    data: Data::Text(t.to_string()),
                    line: self.line.get(),
                });
                let id = nodes.len() - 1;
                nodes[parent].children.insert(at, id);
            }
            NodeOrText::AppendNode(h) => {
                let id = h.id();
                Self::detach(&mut nodes, id);
                let at = at.min(nodes[parent].children.len());
                nodes[id].parent = Some(parent);
                nodes[parent].children.insert(at, id);
            }
        }
    }
}

impl TreeSink for Sink {
    type Handle = Handle;
    type Output = Dom;
    type ElemName<'a> = &'a QualName;

    fn finish(self) -> Dom {
        let nodes = self.nodes.into_inner();
        Dom {
            furniture: vec![false; nodes.len()],
            nodes,
        }
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> Handle {
        Handle(Rc::new((DOCUMENT, no_name())))
    }

    fn elem_name<'a>(&'a self, target: &'a Handle) -> &'a QualName {
        &target.0 .1
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        let data = Data::Element {
            name: name.local.clone(),
            attrs: attrs
                .into_iter()
                .map(|a| (a.name.local, a.value.to_string()))
                .collect(),
        };
        let h = self.new_node(data, name);
        if flags.template {
            let contents = self.new_node(Data::Document, no_name());
            self.template_contents.borrow_mut().push((h.id(), contents));
        }
        h
    }

    fn create_comment(&self, _text: StrTendril) -> Handle {
        self.new_node(Data::Other, no_name())
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> Handle {
        self.new_node(Data::Other, no_name())
    }

    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.insert(parent.id(), None, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        let has_parent = self.nodes.borrow()[element.id()].parent.is_some();
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &Handle) -> Handle {
        let id = target.id();
        if let Some((_, h)) = self
            .template_contents
            .borrow()
            .iter()
            .find(|(t, _)| *t == id)
        {
            return h.clone();
        }
        // Not a template (the builder promises it is): a fragment of its own keeps the
        // tree sound.
        let h = self.new_node(Data::Document, no_name());
        self.template_contents.borrow_mut().push((id, h.clone()));
        h
    }

    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        x.id() == y.id()
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        let (parent, index) = {
            let nodes = self.nodes.borrow();
            let Some(parent) = nodes[sibling.id()].parent else {
                return;
            };
            let index = nodes[parent]
                .children
                .iter()
                .position(|&c| c == sibling.id());
            (parent, index)
        };
        // A node moved before its sibling leaves its old place first, which may shift the
        // sibling's index: look it up again after detaching.
        if let NodeOrText::AppendNode(h) = &new_node {
            let mut nodes = self.nodes.borrow_mut();
            Self::detach(&mut nodes, h.id());
            let index = nodes[parent]
                .children
                .iter()
                .position(|&c| c == sibling.id());
            drop(nodes);
            self.insert(parent, index, new_node);
            return;
        }
        self.insert(parent, index, new_node);
    }

    fn add_attrs_if_missing(&self, target: &Handle, new: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Data::Element { attrs, .. } = &mut nodes[target.id()].data {
            for a in new {
                if !attrs.iter().any(|(k, _)| *k == a.name.local) {
                    attrs.push((a.name.local, a.value.to_string()));
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &Handle) {
        Self::detach(&mut self.nodes.borrow_mut(), target.id());
    }

    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        let mut nodes = self.nodes.borrow_mut();
        let moved = std::mem::take(&mut nodes[node.id()].children);
        for &c in &moved {
            nodes[c].parent = Some(new_parent.id());
        }
        nodes[new_parent.id()].children.extend(moved);
    }

    fn set_current_line(&self, line_number: u64) {
        self.line.set(line_number as usize);
    }
}
