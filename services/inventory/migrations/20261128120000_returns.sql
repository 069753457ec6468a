-- A paid order that is cancelled gives its units back: a 'return' movement,
-- and the committed reservation becomes 'returned' so it happens once.
ALTER TABLE movements DROP CONSTRAINT movements_kind_check;
ALTER TABLE movements ADD CONSTRAINT movements_kind_check
    CHECK (kind IN ('set', 'adjustment', 'transfer_out', 'transfer_in', 'sale', 'return'));
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
    CHECK (status IN ('held', 'released', 'committed', 'returned'));
