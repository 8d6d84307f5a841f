package org.patchvisor.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SymbolNamesTest {
    @Test
    void stripsCloneSuffixesAndLocalNumbering() {
        assertEquals("foo", SymbolNames.normalise("foo.constprop.0"));
        assertEquals("foo", SymbolNames.normalise("foo.isra.12"));
        assertEquals("foo", SymbolNames.normalise("foo.part.0"));
        assertEquals("foo", SymbolNames.normalise("foo.isra.0.constprop.1"));
        assertEquals("count", SymbolNames.normalise("count.3"));
        assertEquals("foo.cold", SymbolNames.normalise("foo.part.0.cold"));
        assertEquals("foo.cold", SymbolNames.normalise("foo.cold"));
        assertEquals("version_proc_show", SymbolNames.normalise("version_proc_show"));
        assertEquals(".text.foo", SymbolNames.normalise(".text.foo.constprop.0"));
    }

    @Test
    void tellsRenamedSymbols() {
        assertTrue(SymbolNames.isRenamed("foo.isra.0"));
        assertFalse(SymbolNames.isRenamed("foo"));
    }
}
