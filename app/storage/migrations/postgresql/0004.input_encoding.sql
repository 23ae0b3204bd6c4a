-- depends: 0003.delivery
-- Raw input bodies may be stored compressed: NULL is the body as received, 'lz4' an LZ4 block.

ALTER TABLE inputs ADD COLUMN body_encoding TEXT;
