-- Full-text index over knowledge_chunks (external content), kept in step by triggers; ranked with bm25().
CREATE VIRTUAL TABLE `knowledge_fts` USING fts5(title, text, content='knowledge_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_ai` AFTER INSERT ON `knowledge_chunks` BEGIN
  INSERT INTO knowledge_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_ad` AFTER DELETE ON `knowledge_chunks` BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
--> statement-breakpoint
CREATE TRIGGER `knowledge_chunks_au` AFTER UPDATE ON `knowledge_chunks` BEGIN
  INSERT INTO knowledge_fts(knowledge_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  INSERT INTO knowledge_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
