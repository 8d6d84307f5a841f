package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SymbolNamesTest {
    @Test
    void dropsCloneNumbersButKeepsTheCloneKind() {
        assertEquals("foo.constprop", SymbolNames.normalise("foo.constprop.0"));
        assertEquals("foo.isra", SymbolNames.normalise("foo.isra.12"));
        assertEquals("foo.part", SymbolNames.normalise("foo.part.0"));
        assertEquals("foo.isra.constprop", SymbolNames.normalise("foo.isra.0.constprop.1"));
        assertEquals("foo.localalias", SymbolNames.normalise("foo.localalias"));
        assertEquals("count", SymbolNames.normalise("count.3"));
        assertEquals("foo.part.cold", SymbolNames.normalise("foo.part.0.cold"));
        assertEquals("foo.cold", SymbolNames.normalise("foo.cold"));
        assertEquals("version_proc_show", SymbolNames.normalise("version_proc_show"));
        assertEquals(".text.foo.constprop", SymbolNames.normalise(".text.foo.constprop.0"));
    }

    @Test
    void aCloneIsNotTheFunctionItWasMadeFrom() {
        assertFalse(SymbolNames.normalise("foo.part.0").equals(SymbolNames.normalise("foo")));
        assertFalse(SymbolNames.normalise("foo.isra.0").equals(SymbolNames.normalise("foo.constprop.0")));
        assertEquals(SymbolNames.normalise("foo.isra.1"), SymbolNames.normalise("foo.isra.0"));
        assertEquals("foo", SymbolNames.baseName("foo.isra.0.constprop.1"));
        assertEquals("foo", SymbolNames.baseName("foo.part.0"));
        assertEquals("foo.cold", SymbolNames.baseName("foo.part.0.cold"));
    }

    @Test
    void stripsCounterNumbersOfKernelMacros() {
        assertEquals("__UNIQUE_ID_ddebug", SymbolNames.normalise("__UNIQUE_ID_ddebug123"));
        assertEquals("__UNIQUE_ID_ddebug", SymbolNames.normalise("__UNIQUE_ID_ddebug123.4"));
        assertEquals("__UNIQUE_ID___addressable_foo", SymbolNames.normalise("__UNIQUE_ID___addressable_foo456"));
        assertEquals("__BTF_ID__func__bpf_foo__", SymbolNames.normalise("__BTF_ID__func__bpf_foo__12345"));
        assertEquals("__initcall__kmod_ext4__ext4_init6",
                SymbolNames.normalise("__initcall__kmod_ext4__17_420_ext4_init6"));
        assertEquals("__already_done", SymbolNames.normalise("__already_done.12"));
        assertEquals("__print_once", SymbolNames.normalise("__print_once.3"));
        assertEquals("__key", SymbolNames.normalise("__key.7"));
        assertEquals("_rs", SymbolNames.normalise("_rs.4"));
        assertEquals("__func__", SymbolNames.normalise("__func__.2"));
        assertEquals("__UNIQUE_ID_", SymbolNames.normalise("__UNIQUE_ID_"));
        assertTrue(SymbolNames.isRenamed("__UNIQUE_ID_ddebug123"));
    }

    @Test
    void tellsColdPartsAndTheirParents() {
        assertTrue(SymbolNames.isCold("foo.cold"));
        assertTrue(SymbolNames.isCold("foo.cold#2"));
        assertFalse(SymbolNames.isCold("foo"));
        assertFalse(SymbolNames.isCold(".cold"));
        assertEquals("foo", SymbolNames.parentOf("foo.cold"));
        assertEquals("foo", SymbolNames.parentOf("foo"));
    }

    @Test
    void tellsRenamedSymbols() {
        assertTrue(SymbolNames.isRenamed("foo.isra.0"));
        assertFalse(SymbolNames.isRenamed("foo"));
    }
}
