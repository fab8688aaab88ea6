"""MineSAR GUI: plugin class, menu, toolbar and translator."""
