-- The holder's cancellation request carries its signed form (注销注册申请表): the applicant's
-- signature, then the enterprise's seal over it (sealed at rest: it names the ID number).
ALTER TABLE cancel_requests ADD COLUMN form_number TEXT;
ALTER TABLE cancel_requests ADD COLUMN form_ofd BLOB;
ALTER TABLE cancel_requests ADD COLUMN form_data BLOB;
